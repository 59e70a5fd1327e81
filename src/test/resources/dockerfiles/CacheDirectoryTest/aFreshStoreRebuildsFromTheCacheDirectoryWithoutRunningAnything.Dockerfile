FROM busybox AS tools
RUN echo "tool-$((6+1))" && echo tool > /tool && echo unused > /tool.log
FROM busybox
COPY a.txt /a.txt
RUN echo "first-$((0+1))" && echo one > /one
COPY --from=tools /tool /tool
RUN echo "second-$((1+1))" && echo two > /two
