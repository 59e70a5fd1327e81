
FROM --platform=linux/amd64 scratch AS linux
