console.log('static module runs');
export default 'hello from static';
