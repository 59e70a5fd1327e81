FROM scratch AS stage
COPY a.txt linked.txt /separate/
COPY *.txt /glob/
COPY dir /tree
COPY dir/x dir/inner /mixed/
FROM stage
COPY --from=stage /tree/x /tree/inner/linked-x /from-stage/
COPY --from=stage /tree /from-stage-tree
