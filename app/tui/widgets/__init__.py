"""The widgets of the lesson screen: slides, the loop visualizer and the exercise pane."""
