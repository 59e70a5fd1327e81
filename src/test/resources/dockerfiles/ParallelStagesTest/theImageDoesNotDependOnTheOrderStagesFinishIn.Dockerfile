FROM busybox AS one
ARG ONE_DELAY=0
RUN sleep $ONE_DELAY && echo one > /one.txt && mkdir -p /d && echo 1 > /d/f
FROM busybox AS two
ARG TWO_DELAY=0
COPY in.txt /
RUN sleep $TWO_DELAY && echo two > /two.txt
FROM scratch AS three
COPY in.txt /three.txt
FROM busybox
COPY --from=one /one.txt /d /
COPY --from=two /two.txt /in.txt /
COPY --from=three /three.txt /
RUN cat /one.txt /two.txt /three.txt > /all.txt
