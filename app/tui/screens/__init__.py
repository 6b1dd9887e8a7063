"""The app's screens: home, a lesson, help and the small dialogs."""
