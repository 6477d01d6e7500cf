// Renders the job env file template with Go text/template + sprig (the ESO v2 engine: sprig
// TxtFuncMap minus env/expandenv, missingkey=error) for each value on stdin, reads the result
// with godotenv v1.5.1 (what forgejo-runner uses for runner.env_file) and prints OK or what broke.
// Built by scripts/dotenv-go-check.ts in GOPATH mode from Debian packages (offline).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"text/template"

	"github.com/Masterminds/sprig"
	"github.com/joho/godotenv"
)

func main() {
	var in struct{ Template string; Values []string }
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil { panic(err) }
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env"); delete(funcs, "expandenv")
	t := template.Must(template.New("t").Option("missingkey=error").Funcs(funcs).Parse(in.Template))
	for _, v := range in.Values {
		var b bytes.Buffer
		if err := t.Execute(&b, map[string]string{"A_KEY": v}); err != nil { fmt.Printf("%q\tTEMPLATE-ERROR\n", v); continue }
		m, err := godotenv.Unmarshal(b.String())
		if err != nil { fmt.Printf("%q\tREAD-ERROR %v\n", v, err); continue }
		if m["A_KEY"] != v { fmt.Printf("%q\tMISMATCH %q\n", v, m["A_KEY"]); continue }
		fmt.Printf("%q\tOK\n", v)
	}
}
