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

{{- define "cfp.redisSecret" -}}
{{- default (printf "%s-redis" (include "cfp.fullname" .)) .Values.redis.external.existingSecret -}}
{{- end -}}
