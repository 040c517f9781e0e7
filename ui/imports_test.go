package ui

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The window is a view of flow's state: ui imports flow (and its own
// assets) only, never the store, the keychain, the sync, the connector
// client or WeChat directly; and flow, with all it depends on, imports no Fyne.
func TestUIImportsFlowOnly(t *testing.T) {
	list := func(format, pkg string) []string {
		out, err := exec.Command("go", "list", "-f", format, pkg).Output()
		if err != nil {
			t.Skipf("go list: %v", err)
		}
		return strings.Fields(string(out))
	}
	for _, imp := range list("{{join .Imports \" \"}}", "oawizard/ui") {
		if strings.HasPrefix(imp, "oawizard/") && imp != "oawizard/flow" && imp != "oawizard/assets" {
			t.Errorf("ui imports %s: go through flow", imp)
		}
	}
	for _, dep := range list("{{join .Deps \" \"}}", "oawizard/flow") {
		if strings.HasPrefix(dep, "fyne.io/") || dep == "oawizard/ui" || dep == "oawizard/connector" {
			t.Errorf("flow depends on %s", dep)
		}
	}
}

// The window shows flow's views and calls flow's task-level operations
// (the start, sign-in and sign-out through flow.Home): it holds no
// database, keychain or connector client. A new flow name used here fails
// until it is added below, where the change is reviewed; and so does a
// flow type that is only another package's type under flow's name.
func TestUIUsesFlowsViewsNotItsInfrastructure(t *testing.T) {
	views := strings.Fields(`AccountChecks AccountsView IsAppIDBlock ActionCancel ActionRescan AppIDError AuthAuthorized AuthConnectionLost
		AuthEvent AuthFailed AuthScanned AuthWaiting AuthWrongAccount AuthorizeOptions BlockedError Check
		DemoStack DemoStarter EvidenceRaw EvidenceText ImportError
		ImportMapping ImportNoHeader ImportOptions ImportStats NormalizeAppID QuotaNeed Report ResultView SDKChecks
		SDKOpenID SDKUnionID ScenarioInfo SourceNone SourceSelf State StatusFail StatusPass StatusUnknown
		StatusWarning Step StepAccounts StepAuthorize StepResult StepSDK StepSync SyncCounts SyncOptions SyncLive
		SyncView Text WeChatWords AuthRefusal Wizard WriteHTML Reach
		ErrStoreCorrupt ErrStoreDiskFull ErrStoreLocked ErrStoreReadOnly ErrStoreTooNew ErrKeychainUnavailable
		ErrTokenRevoked ErrInsecureURL About Catalogue Count DiagError DiagInput ErrorCode
		ExclusiveSet ImportReasonBlankLine ImportReasons ImportSheet ImportSheetChoice
		ImportUnreadable Publisher ReportSource RoomText SDKPassShare StaffConsole Texts
		Home ConnectorProblem LockText Contact AutoStartDelay VendorToFix`)
	allowed := map[string]bool{}
	for _, n := range views {
		allowed[n] = true
	}
	fset := token.NewFileSet()
	probe, err := parser.ParseFile(fset, "probe.go", "package flow\ntype DB = store.DB\ntype Sheet = sdkimport.SheetInfo\ntype Text struct{}\n", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := aliasesBelow([]*ast.File{probe}); len(got) != 2 || got["DB"] != "store" || got["Sheet"] != "sdkimport" {
		t.Fatalf("the alias finder reads a probe as %v", got)
	}
	below := aliasesBelow(parseSources(t, fset, "../flow/*.go"))
	for _, file := range parseSources(t, fset, "*.go") {
		ast.Inspect(file, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == "flow" {
				name := sel.Sel.Name
				if !allowed[name] {
					t.Errorf("%s: ui uses flow.%s", fset.Position(sel.Pos()), name)
				}
				if pkg, ok := below[name]; ok {
					t.Errorf("%s: flow.%s is %s's type under flow's name: give the window a view of its own", fset.Position(sel.Pos()), name, pkg)
				}
			}
			if (sel.Sel.Name == "DB" || sel.Sel.Name == "Conn") && isWizard(sel.X) {
				t.Errorf("%s: ui reaches past the wizard to its %s", fset.Position(sel.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
}

// The values flow gives the window hold none of the infrastructure either:
// an exported field of an exported flow struct whose type is of a package
// beneath flow fails. fieldsLeft are those still there, each with why; the
// list only shrinks, and one no longer there must leave it too.
func TestFlowsFieldsAreNotItsInfrastructure(t *testing.T) {
	fieldsLeft := map[string]string{
		"AuthorizeOptions.Clock": "a clock for tests; the window leaves it zero",
		"SyncOptions.Progress":   "the command line's progress lines; the window hears Live",
		"SyncOptions.Outage":     "the command line's bound on the wait; the window leaves it zero",
		"SyncEnd.Progress":       "read inside flow, for the sync page's view, and never by the window",
	}
	fset := token.NewFileSet()
	probe, err := parser.ParseFile(fset, "probe.go", `package flow
type Event struct {
	Session connclient.Session
	Stats   []*sdkimport.Stats
	Hear    func(syncer.Progress)
	db      *store.DB
	N       int
}
type inner struct{ Clock clock.Clock }
`, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := infraFields([]*ast.File{probe}); len(got) != 3 || got["Event.Session"] != "connclient" || got["Event.Stats"] != "sdkimport" || got["Event.Hear"] != "syncer" {
		t.Fatalf("the field finder reads a probe as %v", got)
	}
	found := infraFields(parseSources(t, fset, "../flow/*.go"))
	for field, pkg := range found {
		if _, ok := fieldsLeft[field]; !ok {
			t.Errorf("flow.%s is of %s's type: give the window a value of flow's own", field, pkg)
		}
	}
	for field := range fieldsLeft {
		if _, ok := found[field]; !ok {
			t.Errorf("flow.%s is no longer of a type beneath flow: take it off the list", field)
		}
	}
}

// infraFields lists the exported fields of exported struct types in files
// whose type names a type of an infra package, as Type.Field, with the
// package.
func infraFields(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, file := range files {
		for _, decl := range file.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, spec := range gen.Specs {
				ts, ok := spec.(*ast.TypeSpec)
				if !ok || !ts.Name.IsExported() {
					continue
				}
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				for _, field := range st.Fields.List {
					pkg := infraIn(field.Type)
					if pkg == "" {
						continue
					}
					for _, name := range fieldNames(field) {
						if ast.IsExported(name) {
							out[ts.Name.Name+"."+name] = pkg
						}
					}
				}
			}
		}
	}
	return out
}

// infraIn names the first infra package a type expression refers to.
func infraIn(typ ast.Expr) string {
	pkg := ""
	ast.Inspect(typ, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok && pkg == "" {
			if id, ok := sel.X.(*ast.Ident); ok && infra[id.Name] {
				pkg = id.Name
			}
		}
		return pkg == ""
	})
	return pkg
}

// fieldNames are a field's names; an embedded one is named for its type.
func fieldNames(field *ast.Field) []string {
	if len(field.Names) == 0 {
		typ := field.Type
		if st, ok := typ.(*ast.StarExpr); ok {
			typ = st.X
		}
		if sel, ok := typ.(*ast.SelectorExpr); ok {
			return []string{sel.Sel.Name}
		}
		return nil
	}
	var names []string
	for _, n := range field.Names {
		names = append(names, n.Name)
	}
	return names
}

// infra are the packages beneath flow whose types the window must not see:
// the store, the keychain, the connector client, the sync, the clock and
// the export reader.
var infra = map[string]bool{"store": true, "secret": true, "connclient": true, "syncer": true, "clock": true, "sdkimport": true}

// aliasesBelow lists the type aliases of types of infra packages in files,
// by name, with the package.
func aliasesBelow(files []*ast.File) map[string]string {
	out := map[string]string{}
	for _, file := range files {
		ast.Inspect(file, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok || !ts.Assign.IsValid() {
				return true
			}
			typ := ts.Type
			if st, ok := typ.(*ast.StarExpr); ok {
				typ = st.X
			}
			if sel, ok := typ.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && infra[pkg.Name] {
					out[ts.Name.Name] = pkg.Name
				}
			}
			return true
		})
	}
	return out
}

// parseSources parses the files matching glob, tests left out.
func parseSources(t *testing.T, fset *token.FileSet, glob string) []*ast.File {
	files, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	var out []*ast.File
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, file)
	}
	return out
}

// isWizard: the expression names the wizard (a.wiz, p.a.wiz, wiz).
func isWizard(e ast.Expr) bool {
	switch x := e.(type) {
	case *ast.Ident:
		return x.Name == "wiz"
	case *ast.SelectorExpr:
		return x.Sel.Name == "wiz"
	}
	return false
}
