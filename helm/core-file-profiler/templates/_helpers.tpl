{{- define "cfp.name" -}}{{ .Chart.Name }}{{- end -}}

{{- define "cfp.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "cfp.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cfp.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cfp.labels" -}}
{{ include "cfp.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "cfp.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "cfp.fullname" .) .Values.serviceAccount.name }}{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "cfp.authSecret" -}}
{{- default (printf "%s-auth" (include "cfp.fullname" .)) .Values.auth.existingSecret -}}
{{- end -}}

{{/* The in-chart Redis's name (its Service's too: a DNS label, so 63 characters at most). */}}
{{- define "cfp.redisName" -}}
{{- printf "%s-redis" (include "cfp.fullname" . | trunc 57 | trimSuffix "-") -}}
{{- end -}}

{{/* The Secret with the connection string: the in-chart Redis's, or redis.external's. */}}
{{- define "cfp.redisSecret" -}}
{{- if .Values.redis.enabled -}}
{{- include "cfp.redisName" . -}}
{{- else -}}
{{- default (include "cfp.redisName" .) .Values.redis.external.existingSecret -}}
{{- end -}}
{{- end -}}

{{/* Labels of the in-chart Redis pod (not the DaemonSet's: its selector must not match them). */}}
{{- define "cfp.redisSelectorLabels" -}}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end -}}

{{/*
<release namespace>-<fullname>, a label value (63 characters, ending in a letter or digit). A
longer one is cut and ends in a hash of namespace and release, so two releases never share it.
*/}}
{{- define "cfp.releaseId" -}}
{{- $id := printf "%s-%s" .Release.Namespace (include "cfp.fullname" .) -}}
{{- if gt (len $id) 63 -}}
{{- $id = printf "%s-%s" (regexReplaceAll "[^A-Za-z0-9]+$" (trunc 54 $id) "") (sha256sum (printf "%s/%s" .Release.Namespace .Release.Name) | trunc 8) -}}
{{- end -}}
{{- regexReplaceAll "[^A-Za-z0-9]+$" $id "" -}}
{{- end -}}

{{/* Orleans ClusterId and ServiceId: unique per release unless set. */}}
{{- define "cfp.clusterId" -}}
{{- default (include "cfp.releaseId" .) .Values.orleans.clusterId -}}
{{- end -}}

{{- define "cfp.serviceId" -}}
{{- default (include "cfp.releaseId" .) .Values.orleans.serviceId -}}
{{- end -}}

{{- define "cfp.clusterTlsSecret" -}}
{{- default (printf "%s-cluster-tls" (include "cfp.fullname" .)) .Values.clusterTls.existingSecret -}}
{{- end -}}

{{/* Where the profiler container finds the cluster certificate, its key and the CA. */}}
{{- define "cfp.clusterTlsPath" -}}/var/run/secrets/core-file-profiler/cluster-tls{{- end -}}
