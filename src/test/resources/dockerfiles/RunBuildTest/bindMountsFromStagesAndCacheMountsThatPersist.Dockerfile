FROM busybox AS tools
RUN mkdir /out && echo "built in tools" > /out/tool.txt
FROM busybox
RUN --mount=type=bind,from=tools,source=/out,target=/mnt cp /mnt/tool.txt /copied.txt
RUN --mount=type=bind,target=/ctx cp /ctx/a.txt /from-context.txt
RUN --mount=type=cache,target=/cache echo run >> /cache/log && cp /cache/log /cache-log.txt
RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ls /scratch > /tmpfs.txt
