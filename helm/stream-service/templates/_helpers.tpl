{{/*
The service's name: image name, Kafka Streams application.id (the consumer group). Default: the release name.
*/}}
{{- define "stream-service.applicationName" -}}
{{- default .Release.Name .Values.application.name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* app.kubernetes.io/name */}}
{{- define "stream-service.name" -}}
{{- default (include "stream-service.applicationName" .) .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Prefix of every object name: fullnameOverride, else the release name when it contains the name, else
<release>-<name>. The StatefulSet and its pods are named after it.
*/}}
{{- define "stream-service.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "stream-service.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The headless Service that gives each pod its stable DNS name; the StatefulSet's serviceName. */}}
{{- define "stream-service.headlessServiceName" -}}
{{- printf "%s-headless" (include "stream-service.fullname" .) -}}
{{- end -}}

{{/* Label that admits a pod of the namespace as a query client through the NetworkPolicy. */}}
{{- define "stream-service.clientLabel" -}}
{{- printf "%s-client" (include "stream-service.fullname" .) -}}
{{- end -}}

{{- define "stream-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "stream-service.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "stream-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select the service's pods: the StatefulSet, the Services, the PDB and the NetworkPolicy use them. */}}
{{- define "stream-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "stream-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Labels of every object (the helm test pod excepted, which must not match the selector). */}}
{{- define "stream-service.labels" -}}
helm.sh/chart: {{ include "stream-service.chart" . }}
{{ include "stream-service.selectorLabels" . }}
app.kubernetes.io/version: {{ include "stream-service.imageTag" . | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: stream-processor
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "stream-service.imageTag" -}}
{{- default .Chart.AppVersion .Values.image.tag -}}
{{- end -}}

{{/* The service's image: <repositoryPrefix>/<application name>:<tag>[@digest]. */}}
{{- define "stream-service.image" -}}
{{- $repository := .Values.image.repository -}}
{{- if not $repository -}}
{{- $repository = printf "%s/%s" (trimSuffix "/" .Values.image.repositoryPrefix) (include "stream-service.applicationName" .) | trimPrefix "/" -}}
{{- end -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" $repository (include "stream-service.imageTag" .) .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (include "stream-service.imageTag" .) -}}
{{- end -}}
{{- end -}}

{{/* The largest partition count of the input topics; 0 when they are not given. */}}
{{- define "stream-service.maxPartitions" -}}
{{- $max := 0 -}}
{{- range .Values.application.inputTopics -}}
{{- if gt (int .partitions) $max -}}{{- $max = int .partitions -}}{{- end -}}
{{- end -}}
{{- $max -}}
{{- end -}}

{{/* Pod-level security context: the restricted Pod Security Standard. */}}
{{- define "stream-service.podSecurityContext" -}}
runAsNonRoot: true
{{- with .Values.podSecurityContext }}
{{ toYaml . }}
{{- end }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Container-level security context: the restricted Pod Security Standard, read-only root filesystem. */}}
{{- define "stream-service.containerSecurityContext" -}}
runAsNonRoot: true
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/*
Checks of the values that the schema cannot express; a failed check stops the render with a message that names the
values to change.
*/}}
{{- define "stream-service.validate" -}}
{{- $v := .Values -}}
{{- $fullname := include "stream-service.fullname" . -}}
{{- if gt (len $fullname) 52 -}}
{{- fail (cat (printf "the name %q has %d characters, at most 52 fit:" $fullname (len $fullname))
    "StatefulSet pods carry the label controller-revision-hash=<name>-<10 characters>, limited to 63;"
    "set fullnameOverride or a shorter release name") -}}
{{- end -}}

{{- if le (int $v.terminationGracePeriodSeconds) (int $v.shutdownTimeoutSeconds) -}}
{{- fail (cat (printf "terminationGracePeriodSeconds (%d) must be above shutdownTimeoutSeconds (%d):"
      (int $v.terminationGracePeriodSeconds) (int $v.shutdownTimeoutSeconds))
    "Kubernetes kills the container when the grace period ends, before Kafka Streams has committed and closed") -}}
{{- end -}}

{{- $m := $v.memory -}}
{{- $heap := div (mul (int $m.limitMiB) (int $m.heapPercent)) 100 -}}
{{- $offHeap := add (int $m.rocksdb.blockCacheMiB) (int $m.nativeHeadroomMiB) -}}
{{- if gt (add $heap $offHeap) (int $m.limitMiB) -}}
{{- $smallest := ceil (divf (mul $offHeap 100) (sub 100 (int $m.heapPercent))) | int -}}
{{- fail (cat (printf "memory.limitMiB (%d) cannot hold the heap (%d%% = %d MiB)" (int $m.limitMiB) (int $m.heapPercent) $heap)
    (printf "+ memory.rocksdb.blockCacheMiB (%d) + memory.nativeHeadroomMiB (%d) = %d MiB:"
      (int $m.rocksdb.blockCacheMiB) (int $m.nativeHeadroomMiB) (add $heap $offHeap))
    (printf "raise memory.limitMiB to at least %d or lower the cache" $smallest)) -}}
{{- end -}}
{{- if ge (int $m.rocksdb.writeBufferMiB) (int $m.rocksdb.blockCacheMiB) -}}
{{- fail (cat (printf "memory.rocksdb.writeBufferMiB (%d) must be below memory.rocksdb.blockCacheMiB (%d):"
      (int $m.rocksdb.writeBufferMiB) (int $m.rocksdb.blockCacheMiB))
    "the memtables are charged to the block cache, which must keep room for data blocks") -}}
{{- end -}}

{{- $static := $v.kafkaStreams.staticMembership -}}
{{- if and $static.enabled (le (int $static.sessionTimeoutMs) (mul (int $v.terminationGracePeriodSeconds) 1000)) -}}
{{- fail (cat (printf "kafkaStreams.staticMembership.sessionTimeoutMs (%d) must be above terminationGracePeriodSeconds (%d s):"
      (int $static.sessionTimeoutMs) (int $v.terminationGracePeriodSeconds))
    "a static member restarted in a rolling update must be back before its session expires, or every restart rebalances") -}}
{{- end -}}

{{- $partitions := int (include "stream-service.maxPartitions" .) -}}
{{- if $v.keda.enabled -}}
{{- if eq $partitions 0 -}}
{{- fail (cat "keda.enabled needs application.inputTopics:"
    "keda.maxReplicaCount may not exceed the input partitions, so they must be known") -}}
{{- end -}}
{{- if gt (int $v.keda.maxReplicaCount) $partitions -}}
{{- fail (cat (printf "keda.maxReplicaCount (%d) exceeds the input partitions (%d, the largest of application.inputTopics):"
      (int $v.keda.maxReplicaCount) $partitions)
    "replicas beyond it would stay idle") -}}
{{- end -}}
{{- if gt (int $v.keda.minReplicaCount) (int $v.keda.maxReplicaCount) -}}
{{- fail (printf "keda.minReplicaCount (%d) exceeds keda.maxReplicaCount (%d)"
    (int $v.keda.minReplicaCount) (int $v.keda.maxReplicaCount)) -}}
{{- end -}}
{{- else if and (gt $partitions 0) (gt (int $v.replicaCount) $partitions) -}}
{{- fail (cat (printf "replicaCount (%d) exceeds the input partitions (%d, the largest of application.inputTopics):"
      (int $v.replicaCount) $partitions)
    "replicas beyond it would stay idle") -}}
{{- end -}}

{{- $k := $v.kafka -}}
{{- $sasl := hasPrefix "SASL_" $k.securityProtocol -}}
{{- $tls := or (eq $k.securityProtocol "SSL") (eq $k.securityProtocol "SASL_SSL") -}}
{{- if and $sasl (or (not $k.sasl.mechanism) (not $k.sasl.jaasConfigSecret.name)) -}}
{{- fail (cat (printf "kafka.securityProtocol %s needs kafka.sasl.mechanism and kafka.sasl.jaasConfigSecret.name"
      $k.securityProtocol)
    "(the Secret with the JAAS configuration)") -}}
{{- end -}}
{{- if and (not $sasl) (or $k.sasl.mechanism $k.sasl.jaasConfigSecret.name) -}}
{{- fail (printf "kafka.sasl is set but kafka.securityProtocol is %s: set it to SASL_SSL (or SASL_PLAINTEXT), or clear kafka.sasl"
    $k.securityProtocol) -}}
{{- end -}}
{{- if and (not $tls) $k.tls.truststoreSecret.name -}}
{{- fail (printf "kafka.tls.truststoreSecret is set but kafka.securityProtocol is %s: set it to SSL or SASL_SSL, or clear the truststore"
    $k.securityProtocol) -}}
{{- end -}}
{{- if and $k.tls.truststoreSecret.name (ne $k.tls.truststoreType "PEM") (not $k.tls.truststorePasswordSecret.name) -}}
{{- fail (printf "a %s truststore needs kafka.tls.truststorePasswordSecret.name (the Secret with its password)"
    $k.tls.truststoreType) -}}
{{- end -}}
{{- end -}}

{{/* The Secret holding query.forwarding-secret: the one api.forwardingSecret names, else the chart's own. */}}
{{- define "stream-service.forwardingSecretName" -}}
{{- .Values.api.forwardingSecret.name | default (printf "%s-query-forwarding" (include "stream-service.fullname" .)) }}
{{- end }}
