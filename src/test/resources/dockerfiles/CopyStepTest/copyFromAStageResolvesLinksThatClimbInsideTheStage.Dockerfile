FROM scratch AS stage
COPY tree /
FROM stage
COPY --from=stage /a/up/top.txt /via-up
COPY --from=stage /a/b/far/top.txt /via-far
COPY --from=stage /a/up/a/up/top.txt /twice
COPY --from=stage /a/up /whole/
COPY --from=stage /a/up/t* /wild/
COPY a.txt /a/up/through-link
COPY b.txt /a/b/far/
