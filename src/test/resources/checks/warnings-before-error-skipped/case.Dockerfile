# check=skip=StageNameCasing
FROM scratch AS BadStageName
MAINTAINER me@example.org
CMD ["a"]
BADCMD
