// Replays the push request of External Secrets Operator's webhook provider, step by step as ESO
// does it (providers/v1/webhook/pkg/webhook/webhook.go: PushWebhookData, GetTemplatePushData,
// getTemplatedSecrets, ExecuteTemplate, executeRequest, ReqAddHeaders, GetHTTPClient; readiness:
// runtime/esutils/utils.go NetworkValidate), with Go's text/template and sprig's TxtFuncMap minus
// env, expandenv and getHostByName (ESO's vendored copy, runtime/template/v2/sprig, drops them).
// ESO's own extra template functions (pkcs12, PEM, JWK, toYaml/fromYaml) are not here: the
// templates under test must not need them.
//
// stdin: a JSON array of cases; stdout: a JSON array of results, one per case, in order. A case
// with Send set also sends the request (what the PushSecret controller would do) and reports the
// HTTP status. Built by the test in GOPATH mode from Debian's golang-go and
// golang-github-masterminds-sprig-dev (offline), as scripts/dotenv-go-check.ts does.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
)

type store struct {
	URL     string
	Method  string
	Headers map[string]string
	Body    string
	Timeout string
}

type pushCase struct {
	Store     store
	Secrets   map[string]map[string]string // store Secrets by their template name
	RemoteKey string
	SecretKey string
	Value     string
	Send      bool
}

type result struct {
	Dial    string              // host:port NetworkValidate dials for the store's readiness
	URL     string
	Method  string
	Headers map[string][]string
	Body    string
	Status  int
	Error   string
}

var funcs = func() template.FuncMap {
	f := sprig.TxtFuncMap()
	delete(f, "env")
	delete(f, "expandenv")
	delete(f, "getHostByName")
	return f
}()

// ExecuteTemplate: an empty template renders nothing; no Option (missingkey=default).
func execute(tmpl string, data map[string]map[string]string) (string, error) {
	if tmpl == "" {
		return "", nil
	}
	t, err := template.New("webhooktemplate").Funcs(funcs).Parse(tmpl)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", err
	}
	return b.String(), nil
}

// GetTemplatePushData + getTemplatedSecrets: the store Secrets' values are never escaped.
func pushData(c pushCase, urlEncode bool) map[string]map[string]string {
	esc := func(s string) string { return s }
	if urlEncode {
		esc = url.QueryEscape
	}
	data := map[string]map[string]string{"remoteRef": {"remoteKey": esc(c.RemoteKey)}}
	if c.SecretKey != "" {
		data["remoteRef"]["secretKey"] = esc(c.SecretKey)
	}
	for name, kv := range c.Secrets {
		if _, ok := data[name]; !ok {
			data[name] = map[string]string{}
		}
		for k, v := range kv {
			data[name][k] = v
		}
	}
	return data
}

func run(c pushCase) (r result) {
	// NetworkValidate: url.Parse of the untemplated URL; no port means 443.
	if u, err := url.Parse(c.Store.URL); err != nil {
		r.Error = "readiness: " + err.Error()
		return
	} else {
		port := u.Port()
		if port == "" {
			port = "443"
		}
		r.Dial = fmt.Sprintf("%v:%v", u.Hostname(), port)
	}
	method := c.Store.Method
	if method == "" {
		method = http.MethodPost
	}
	r.Method = method
	escaped := pushData(c, true)
	escaped["remoteRef"][c.RemoteKey] = url.QueryEscape(c.Value)
	raw := pushData(c, false)
	raw["remoteRef"][c.RemoteKey] = c.Value
	u, err := execute(c.Store.URL, escaped)
	if err != nil {
		r.Error = "url: " + err.Error()
		return
	}
	r.URL = u
	bodyt := c.Store.Body
	if bodyt == "" {
		bodyt = fmt.Sprintf("{{ .remoteRef.%s }}", c.RemoteKey)
	}
	body, err := execute(bodyt, raw)
	if err != nil {
		r.Error = "body: " + err.Error()
		return
	}
	r.Body = body
	req, err := http.NewRequest(method, u, bytes.NewReader([]byte(body)))
	if err != nil {
		r.Error = "request: " + err.Error()
		return
	}
	for k, vt := range c.Store.Headers {
		v, err := execute(vt, raw)
		if err != nil {
			r.Error = "header " + k + ": " + err.Error()
			return
		}
		req.Header.Add(k, v)
	}
	r.Headers = req.Header
	if !c.Send {
		return
	}
	client := &http.Client{}
	if c.Store.Timeout != "" {
		d, err := time.ParseDuration(c.Store.Timeout)
		if err != nil {
			r.Error = "timeout: " + err.Error()
			return
		}
		client.Timeout = d
	}
	resp, err := client.Do(req)
	if err != nil {
		r.Error = "send: " + err.Error()
		return
	}
	resp.Body.Close()
	r.Status = resp.StatusCode
	return
}

func main() {
	var cases []pushCase
	if err := json.NewDecoder(os.Stdin).Decode(&cases); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := make([]result, 0, len(cases))
	for _, c := range cases {
		out = append(out, run(c))
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
}
