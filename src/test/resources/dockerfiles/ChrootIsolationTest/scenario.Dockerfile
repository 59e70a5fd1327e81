FROM busybox
COPY a.txt /a.txt
RUN set -e; mkdir -p /data/sub && echo one > /data/sub/f && chown -R 1000:1000 /data; \
    rm /bin/ls && rm -r /home; chmod 0600 /a.txt; echo s > /suid && chmod 4755 /suid; \
    ln -s /suid /link && ln /suid /hard; mkdir /many && cd /many && seq 1 200 | xargs touch; \
    echo 'bob:x:1234:1234::/home/bob:/bin/sh' >> /etc/passwd; echo 'bob:x:1234:' >> /etc/group; \
    mkdir -p -m 750 /home/bob && chown bob:bob /home/bob
RUN cat /etc/hosts /etc/hostname > /etc-files.txt && echo 1.2.3.4 x >> /etc/hosts && test -c /dev/null
RUN <<EOF
#!/bin/sh
echo "from a script in $0" > /script.txt
EOF
WORKDIR /work/dir
USER bob
RUN id > /tmp/id.txt && pwd >> /tmp/id.txt
