console.log('awaited module runs');
export default 42;
