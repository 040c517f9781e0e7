package flow

import (
	"bytes"
	"context"
	"html/template"
	"strings"
	"testing"
)

// The exported report carries the same diagnostics Help copies, ids
// masked and no token: staff get one file.
func TestReportCarriesTheDiagnosticsWithoutSecrets(t *testing.T) {
	ctx := context.Background()
	d, w, _ := demoWizard(t, "ip-not-whitelisted", nil)
	if err := w.SetAccounts(ctx, d.Scenario.OAAppID, nil); err != nil {
		t.Fatal(err)
	}
	h, err := w.ConnectorHealth(ctx)
	if err != nil {
		t.Fatal(err)
	}
	in := DiagInput{Version: "v1.2.3", Health: h, Errors: []DiagError{{Words: "WORDS", Code: "connector/unauthorized"}}}
	var out bytes.Buffer
	if err := w.ExportReport(ctx, &out, ReportSource{Version: "v1.2.3", Diag: &in}, echo); err != nil {
		t.Fatal(err)
	}
	want, err := w.Diagnostics(ctx, in, echo)
	if err != nil {
		t.Fatal(err)
	}
	// Made a moment apart: only the generation time may differ.
	body := out.String()
	for _, line := range strings.Split(want, "\n") {
		if line == "" || strings.Contains(line, "diag.generated") {
			continue
		}
		if !strings.Contains(body, template.HTMLEscapeString(line)) {
			t.Errorf("the report lacks the diagnostics' line %q", line)
		}
	}
	if !strings.Contains(body, `id="diagnostics"`) || !strings.Contains(body, "report.diagnostics") {
		t.Fatal("no diagnostics section")
	}
	if strings.Contains(body, d.ProjectToken) {
		t.Fatal("the report carries the project token")
	}
	// Without the window's part, no section.
	out.Reset()
	if err := w.ExportReport(ctx, &out, ReportSource{Version: "v1.2.3"}, echo); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), `id="diagnostics"`) {
		t.Fatal("a diagnostics section with nothing asked")
	}
}
