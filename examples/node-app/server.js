const http = require("http");
http.createServer((req, res) => res.end("hello from a jbuild-built Node image\n")).listen(3000);
