FROM scratch
ADD plain.tar /plain/
ADD gzip.tar.gz /gzip/
ADD bzip2.tbz /bzip2/
ADD xz.txz /xz/
ADD zstd.tar.zst /zstd/
ADD magic.tar /magic/
ADD notes.txt /notes/
ADD sparse.tar /sparse/
