
FROM scratch
FROM scratch AS a
