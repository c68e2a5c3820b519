# syntax=docker/dockerfile:1
# The ratestream image: the app module and its runtime dependencies on one classpath, the ratestream command
# line as the entry point. The command is a ratestream subcommand and its flags, e.g.
#   docker run ratestream streams --bootstrap kafka:9092 --state-dir /var/lib/ratestream/state
#   docker run ratestream gateway --bootstrap kafka:9092 --bind 0.0.0.0 --auth FILE
# so RATESTREAM_* variables, --config and --kafka-property work as on the command line. The image holds
# production code only: no Kafka broker, Scala or test library (app's testkit dependency is provided, not
# runtime); `kafka` and `dev` say so and exit 1. ProductionClasspathIT runs the CLI on the same classpath.
# Not built on the machine it was written on (no Docker engine there); checked by ComposeFileTest.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# ~/.m2 is a cache mount: a rebuild after a source change does not download the dependencies again.
# Everything the image runs ends up in /out/lib: the app jar and its runtime dependencies.
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B --no-transfer-progress -pl app -am install -DskipTests \
 && mvn -B --no-transfer-progress -pl app dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory=/out/lib \
 && cp app/target/app-0.1.0-SNAPSHOT.jar /out/lib/

FROM eclipse-temurin:17-jre
# curl for the gateway's healthcheck (GET /health/ready): the Temurin images no longer ship it.
# /var/lib/ratestream/state is where the streams app keeps its state (a volume in docker-compose.yml);
# it exists here, owned by the runtime user, so a fresh named volume mounted there is writable.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/ratestream ratestream \
 && mkdir -p /var/lib/ratestream/state \
 && chown -R ratestream:ratestream /var/lib/ratestream
COPY --from=build /out/lib/ /opt/ratestream/lib/
USER ratestream
WORKDIR /var/lib/ratestream
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75.0"
EXPOSE 2001 8000
ENTRYPOINT ["java", "-cp", "/opt/ratestream/lib/*", "io.ratestream.app.cli.RatestreamCli"]
