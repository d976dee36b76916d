#!/usr/bin/env bash
# Starts a new stream service as a copy of an existing one: the module, its package, its name and port.
# Usage (from the repository root): tools/copy-service.sh <name> <http-port> [<from>]
#   <name>       the new service, lower case and dashes (fraud-detection); also its Kafka Streams application.id
#   <http-port>  a free HTTP port (the shipped services use 8081-8084)
#   <from>       the service to copy, default traffic-analytics
# It also copies the service's Helm values and Grafana dashboard, and prints what else a new service needs: its
# topics in TopicCatalogue, its StackServices entry, its compose service and scrape target, its k8s/ manifests.
set -euo pipefail

name=${1:?usage: tools/copy-service.sh <name> <http-port> [<from>]}
port=${2:?usage: tools/copy-service.sh <name> <http-port> [<from>]}
from=${3:-traffic-analytics}

[[ $name =~ ^[a-z][a-z0-9-]*$ ]] || { echo "name must be lower case letters, digits and dashes: $name" >&2; exit 2; }
[[ $port =~ ^[0-9]+$ ]] || { echo "port must be a number: $port" >&2; exit 2; }
[[ $from =~ ^[a-z][a-z0-9-]*$ ]] || { echo "the service to copy must be a name under services/: $from" >&2; exit 2; }
[[ -f services/pom.xml && -d services/$from ]] || { echo "run from the repository root; services/$from must exist" >&2; exit 2; }
dashboards=helm/stream-service/files/dashboards
for file in "helm/values/$from.yaml" "$dashboards/$from.json"; do
  [[ -f $file ]] || { echo "$file is missing: $from has no deployment files to copy" >&2; exit 2; }
done
for path in "services/$name" "helm/values/$name.yaml" "$dashboards/$name.json"; do
  [[ ! -e $path ]] || { echo "$path exists already" >&2; exit 2; }
done

old_package=$(basename "$(find "services/$from/src/main/java/dev/streamtemplate" -mindepth 1 -maxdepth 1 -type d | head -1)")
new_package=${name//-/}

mkdir -p "services/$name"
(cd "services/$from" && find . -path ./target -prune -o -type f -print) | while read -r file; do
  mkdir -p "services/$name/$(dirname "$file")"
  cp "services/$from/$file" "services/$name/$file"
done
for tree in main test; do
  if [[ -d services/$name/src/$tree/java/dev/streamtemplate/$old_package ]]; then
    mv "services/$name/src/$tree/java/dev/streamtemplate/$old_package" "services/$name/src/$tree/java/dev/streamtemplate/$new_package"
  fi
done
grep -rl "dev.streamtemplate.$old_package" "services/$name" | xargs -r sed -i "s/dev\.streamtemplate\.$old_package\b/dev.streamtemplate.$new_package/g"
sed -i "s|<artifactId>$from</artifactId>|<artifactId>$name</artifactId>|; s|<name>$from:.*</name>|<name>$name: copied from $from</name>|" "services/$name/pom.xml"
properties=services/$name/src/main/resources/application.properties
sed -i "s|^quarkus.application.name=.*|quarkus.application.name=$name|; s|^quarkus.http.port=.*|quarkus.http.port=$port|" "$properties"
sed -i "s|^# $from:|# $name (copied from $from):|" "$properties"
sed -i "s|    <module>$from</module>|    <module>$from</module>\n    <module>$name</module>|" services/pom.xml

# Deployment: the Helm values (name, port; the input topics stay those of $from until you change them) and the
# Grafana dashboard (its queries select application="$name").
sed "s/\b$from\b/$name/g; 1s/^# $name:/# $name (copied from $from):/; s/^\(  httpPort:\) [0-9]*\$/\1 $port/" \
  "helm/values/$from.yaml" > "helm/values/$name.yaml"
grep -q "^  httpPort: $port\$" "helm/values/$name.yaml" \
  || { echo "helm/values/$name.yaml: no '  httpPort:' line to set to $port; set it by hand" >&2; exit 1; }
sed "s/\b$from\b/$name/g" "$dashboards/$from.json" > "$dashboards/$name.json"

cat <<DONE
services/$name: a copy of $from, package dev.streamtemplate.$new_package, port $port, listed in services/pom.xml;
helm/values/$name.yaml and $dashboards/$name.json: copies of those of $from.
Build it: mvn -B -q install -DskipTests -pl services/$name -am
Still to do, outside services/$name:
  1. shared-schemas TopicCatalogue: its output and dead-letter topics, and a ServiceTopics entry in SERVICES
     (its input topics and dead-letter topic are configured from there, and its outputs are then created);
     its input topics in helm/values/$name.yaml;
  2. process-harness StackServices: an entry, to run it with the local stack; the dashboard's panels are $from's:
     keep those that fit and change the rest (LocalStackDemoTest wants data in every panel);
  3. docker-compose.yml: a service, as $from's, and its scrape target in
     observability/prometheus/prometheus-compose.yml;
  4. k8s/: generate its overlay and the kustomization from the chart:
     mvn -B -q -Pdeploy-tests -pl deployment-tests -am test -Dtest=K8sManifestsTest -Dk8s.update=true -Dsurefire.failIfNoSpecifiedTests=false
Inside it: rename the topology, stores and resources, and write its tests (README, "Adding a service").
DONE
