FROM scratch AS stage
COPY tree /
FROM stage
COPY a.txt /tofile
COPY b.txt /dangling
COPY a.txt /dl/sub/f
WORKDIR /wd
WORKDIR /wdabove/sub
