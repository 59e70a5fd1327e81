FROM busybox
COPY a.txt /a.txt
ARG GREETING=hello
RUN echo "$GREETING $(cat /a.txt)" > /built.txt && mkdir -p /data/sub && chown -R 1000:1000 /data \
    && rm /bin/ls && rm -r /home && chmod 4755 /built.txt && ln -s /built.txt /link && ln /built.txt /hard
RUN <<EOF
echo "HOME=$HOME" > /heredoc.txt
EOF
WORKDIR /work
USER app
RUN id -u > /tmp/uid.txt && pwd > /tmp/pwd.txt
