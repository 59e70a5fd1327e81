
FROM scratch
ENV testkey value
LABEL key value
