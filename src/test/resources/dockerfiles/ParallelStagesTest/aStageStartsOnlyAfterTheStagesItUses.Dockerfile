FROM busybox AS slow
RUN sleep 2 && echo slow > /slow.txt
FROM busybox AS fast
RUN echo fast > /fast.txt
FROM busybox AS user
COPY --from=slow /slow.txt /
RUN cat /slow.txt > /seen.txt
FROM user
COPY --from=fast /fast.txt /
