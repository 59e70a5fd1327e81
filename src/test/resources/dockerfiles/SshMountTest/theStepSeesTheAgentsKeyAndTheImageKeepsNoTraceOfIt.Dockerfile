FROM busybox
COPY sysroot/ /
RUN --mount=type=ssh ssh-add -l > /keys.txt && echo "$SSH_AUTH_SOCK" > /sock.txt \
    && stat -c '%a %u:%g' "$SSH_AUTH_SOCK" > /sock-owner.txt
RUN --mount=type=ssh,id=other,target=/tmp/agent,uid=1000,gid=1000,mode=0600 \
    --mount=type=ssh,required=true \
    echo "$SSH_AUTH_SOCK" > /sock2.txt && stat -c '%a %u:%g' /tmp/agent > /owner2.txt \
    && test -S /run/buildkit/ssh_agent.1
USER 1000
RUN --mount=type=ssh,id=other,uid=1000 ssh-add -l > /tmp/keys-as-user.txt
USER 0
RUN --mount=type=ssh,id=missing echo "$SSH_AUTH_SOCK" > /optional.txt
RUN env > /env.txt; test ! -e /run/buildkit/ssh_agent.0
