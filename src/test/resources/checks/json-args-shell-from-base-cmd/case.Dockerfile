
FROM scratch AS base
SHELL ["/usr/bin/customshell"]

FROM base
CMD mycommand
