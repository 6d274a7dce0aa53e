require('http').createServer((q, r) => r.end('images')).listen(4000)
