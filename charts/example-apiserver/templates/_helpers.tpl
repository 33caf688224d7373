{{/* Labels of every object: artifacts/deploy's part-of and Helm's own. */}}
{{- define "example-apiserver.labels" -}}
app.kubernetes.io/part-of: example-apiserver
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end }}

{{/* An image reference from {repository, tag, digest}: the digest wins, the tag defaults to appVersion. */}}
{{- define "example-apiserver.image" -}}
{{- $image := index . 0 -}}{{- $root := index . 1 -}}
{{- if $image.digest -}}
{{ $image.repository }}@{{ $image.digest }}
{{- else -}}
{{ $image.repository }}:{{ $image.tag | default $root.Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* The component configuration file, when there is one: apiserver.config and the login section. */}}
{{- define "example-apiserver.config" -}}
{{- $config := deepCopy .Values.apiserver.config -}}
{{- if and .Values.login.enabled .Values.login.config -}}
{{- $_ := set $config "login" .Values.login.config -}}
{{- end -}}
{{- if $config -}}
apiVersion: config.example.com/v1alpha1
kind: ExampleAPIServerConfiguration
{{ toYaml $config }}
{{- end -}}
{{- end }}

{{/* The bundled etcd's member names, client or peer URLs: etcd-0=https://etcd-0.etcd.<ns>.svc:2380 ... */}}
{{- define "example-apiserver.etcdMembers" -}}
{{- $root := index . 0 -}}{{- $port := index . 1 -}}{{- $named := index . 2 -}}
{{- $members := list -}}
{{- range $i := until (int $root.Values.etcd.bundled.replicas) -}}
{{- $url := printf "https://etcd-%d.etcd.%s.svc:%d" $i $root.Release.Namespace (int $port) -}}
{{- $members = append $members (ternary (printf "etcd-%d=%s" $i $url) $url $named) -}}
{{- end -}}
{{- join "," $members -}}
{{- end }}

{{/*
The objects of a file of artifacts/ (files/ links to them), as they are but for the release
namespace in place of example-system and the chart's labels: (list $ "files/x.yaml" skip), skip
a list of "Kind" or "Kind/name" to leave out.
*/}}
{{- define "example-apiserver.fileObjects" -}}
{{- $root := index . 0 -}}{{- $skip := index . 2 -}}
{{- $text := $root.Files.Get (index . 1) | replace "example-system" $root.Release.Namespace -}}
{{- range $doc := regexSplit "(?m)^---[ \t]*$" $text -1 -}}
{{- $object := fromYaml $doc -}}
{{- if and $object (not (has $object.kind $skip)) (not (has (printf "%s/%s" $object.kind $object.metadata.name) $skip)) }}
---
{{- $labels := merge (dig "metadata" "labels" dict $object) (include "example-apiserver.labels" $root | fromYaml) -}}
{{- $_ := set $object.metadata "labels" $labels }}
{{ toYaml $object }}
{{- end -}}
{{- end -}}
{{- end }}
