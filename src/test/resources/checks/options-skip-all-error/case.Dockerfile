#check=skip=all;error=true
FROM scratch as base
copy Dockerfile .
