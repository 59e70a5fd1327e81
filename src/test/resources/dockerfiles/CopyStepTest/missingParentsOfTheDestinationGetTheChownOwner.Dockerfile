FROM scratch AS stage
COPY a.txt /stage/a.txt
FROM scratch
COPY passwd group /etc/
COPY a.txt /path/
COPY --chown=1001:1001 a.txt /path/to/dest
COPY --chown=app dir /tree/of/dir
COPY --chown=1002 --from=stage /stage/a.txt /from/stage/
ADD --chown=1003 bundle.tgz /archive/into/
COPY --chown=1004 <<EOF /here/doc/file
x
EOF
COPY --chown=1005 --parents dir/./inner/y.txt /parents/root/
USER app
WORKDIR /workdir/nested
