{{- define "faultline.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}{{ .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else -}}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end -}}

{{- define "faultline.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "faultline.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "faultline.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "faultline.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}{{ default (include "faultline.fullname" .) .Values.serviceAccount.name }}
{{- else -}}{{ default "default" .Values.serviceAccount.name }}{{- end -}}
{{- end -}}

{{- define "faultline.keysSecret" -}}
{{ default (printf "%s-keys" (include "faultline.fullname" .)) .Values.signing.existingSecret }}
{{- end -}}

{{/* The Secret holding the agents' telemetry key pair, when telemetrySigning.keyId is set. */}}
{{- define "faultline.telemetrySecret" -}}
{{ default (printf "%s-telemetry-key" (include "faultline.fullname" .)) .Values.telemetrySigning.existingSecret }}
{{- end -}}

{{/* Agent arguments: sign telemetry with the chart's telemetry key, when there is one. */}}
{{- define "faultline.telemetryKeyArgs" -}}
{{- if .Values.telemetrySigning.keyId }}, --telemetry-key, /etc/faultline/telemetry/{{ .Values.telemetrySigning.keyId }}.key{{ end }}
{{- end -}}

{{/* The agents' telemetry key mount and volume (its private half only). */}}
{{- define "faultline.telemetryKeyMount" -}}
{{- if .Values.telemetrySigning.keyId }}
- {name: telemetry-key, mountPath: /etc/faultline/telemetry, readOnly: true}
{{- end }}
{{- end -}}
{{- define "faultline.telemetryKeyVolume" -}}
{{- if .Values.telemetrySigning.keyId }}
- name: telemetry-key
  secret:
    secretName: {{ include "faultline.telemetrySecret" . }}
    defaultMode: 0400
    items: [{key: {{ .Values.telemetrySigning.keyId }}.key, path: {{ .Values.telemetrySigning.keyId }}.key}]
{{- end }}
{{- end -}}

{{/* The Secret holding the alert webhook's bearer token (key "token"). */}}
{{- define "faultline.webhookTokenSecret" -}}
{{ default (printf "%s-webhook-token" (include "faultline.fullname" .)) .Values.orchestrator.alertBridge.tokenSecret }}
{{- end -}}

{{/* The environment every Faultline container gets. */}}
{{- define "faultline.env" -}}
- name: FAULTLINE_BOOTSTRAP_SERVERS
  value: {{ .Values.kafka.bootstrapServers | quote }}
{{- if .Values.kafka.clientConfigSecret }}
- name: FAULTLINE_COMMAND_CONFIG
  value: /etc/faultline/kafka/client.properties
{{- end }}
- name: POD_NAME
  valueFrom: {fieldRef: {fieldPath: metadata.name}}
- name: POD_NAMESPACE
  valueFrom: {fieldRef: {fieldPath: metadata.namespace}}
{{- end -}}

{{/* The Kafka client settings (TLS, SASL) and keystores, from kafka.clientConfigSecret. */}}
{{- define "faultline.kafkaMount" -}}
{{- if .Values.kafka.clientConfigSecret }}
- {name: kafka-client, mountPath: /etc/faultline/kafka, readOnly: true}
{{- end }}
{{- end -}}

{{- define "faultline.kafkaVolume" -}}
{{- if .Values.kafka.clientConfigSecret }}
- name: kafka-client
  secret: {secretName: {{ .Values.kafka.clientConfigSecret | quote }}, defaultMode: 0400}
{{- end }}
{{- end -}}

{{/* Where and how pods are scheduled, for every Faultline pod: pull secrets, node selection, tolerations, affinity, priority. */}}
{{- define "faultline.podScheduling" -}}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.nodeSelector }}
nodeSelector:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.tolerations }}
tolerations:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.affinity }}
affinity:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.scheduling.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- end -}}

{{/* Annotations every Faultline pod carries (podAnnotations). */}}
{{- define "faultline.podAnnotations" -}}
{{- with .Values.podAnnotations }}
annotations:
{{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
