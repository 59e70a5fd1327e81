
FROM scratch
MAINTAINER me@example.org
