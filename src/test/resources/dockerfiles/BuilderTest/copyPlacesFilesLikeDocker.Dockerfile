FROM scratch AS base
COPY passwd group /etc/
FROM base
WORKDIR /srv
COPY a.txt .
COPY a.txt b.txt sub/
COPY dir /data
COPY *.txt /glob/
COPY a.txt /renamed
COPY --chown=app:staff a.txt /owned
COPY --chown=1234 a.txt /numeric
COPY --chmod=0600 a.txt /mode-octal
COPY --chmod=u+x,g-r a.txt /mode-symbolic
COPY --parents dir/./inner/y.txt /parents/
COPY --exclude=*.log dir /excluded/
COPY link-to-a /followed
