# syntax=docker/dockerfile:1
# The jbuild image, built by jbuild itself (.github/workflows/release.yml):
#   mvn -B -DskipTests package && ./jbuild -t jbuild:dev .
# It runs as uid 1000 with a subordinate id range, so RUN steps work in an unprivileged pod.
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends uidmap util-linux mount attr \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 1000 --shell /bin/sh builder \
 && echo "builder:100000:65536" > /etc/subuid \
 && echo "builder:100000:65536" > /etc/subgid
COPY --chmod=0644 target/jbuild.jar /opt/jbuild/jbuild.jar
# The class-data-sharing archive, as ./jbuild makes it: one training run (builds, images, inspect,
# push and pull against a registry it serves on loopback) with this image's JVM and jar; it halves
# start-up (docs/performance.md, "Start-up"). Without it jbuild only starts slower.
# Its RUN also makes the sandbox agent's archive, where the build lets it create namespaces.
RUN java -XX:+UseSerialGC -Xms8m -XX:ArchiveClassesAtExit=/opt/jbuild/jbuild.jsa -Xlog:cds=off -Xlog:cds+dynamic=off \
      -Djbuild.agentArchiveAtExit=/opt/jbuild/jbuild-agent.jsa \
      -cp /opt/jbuild/jbuild.jar dev.jbuild.cli.TrainingRun /tmp/jbuild-training >/dev/null 2>&1 \
      || echo "jbuild: no class-data archive was made; jbuild will start slower" >&2; \
    rm -rf /tmp/jbuild-training; chmod -f 0644 /opt/jbuild/jbuild.jsa /opt/jbuild/jbuild-agent.jsa || true
COPY --chmod=0755 <<'EOF' /usr/local/bin/jbuild
#!/bin/sh
# The serial GC and a small initial heap, as in ./jbuild (docs/performance.md, "Memory"); a set
# JBUILD_JAVA_OPTS replaces them. In a container the default maximum heap is 1/4 of the memory limit.
defaults="-XX:+UseSerialGC -Xms8m"
cds=""
if [ -f /opt/jbuild/jbuild.jsa ]; then
  cds="-XX:SharedArchiveFile=/opt/jbuild/jbuild.jsa -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
fi
if [ -f /opt/jbuild/jbuild-agent.jsa ]; then
  cds="$cds -Djbuild.agentArchive=/opt/jbuild/jbuild-agent.jsa"
fi
exec java $cds ${JBUILD_JAVA_OPTS-$defaults} -jar /opt/jbuild/jbuild.jar "$@"
EOF
USER builder
WORKDIR /home/builder
ENV JBUILD_ROOT=/home/builder/.local/share/jbuild
ENTRYPOINT ["jbuild"]
