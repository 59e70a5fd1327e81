FROM scratch
WORKDIR "/q"
FROM scratch
WORKDIR 'rel'
