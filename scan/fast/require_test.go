package fast

import (
	"testing"

	"github.com/retrohunt/retrohunt/scan/rule"
	"github.com/retrohunt/retrohunt/scan/rules"
)

func TestRequire(t *testing.T) {
	f := func(events, want string) {
		t.Helper()
		rs, err := rule.ParseFile("t.yaral", []byte("rule t {\n events:\n "+events+"\n condition:\n $e\n}\n"))
		if err != nil {
			t.Fatalf("%s: %v", events, err)
		}
		got := Require(rs)
		s := got.String()
		switch {
		case got.Dead == 1:
			s = "dead"
		case got.Free:
			s = "free"
		}
		if s != want {
			t.Errorf("%s\n got %s\nwant %s", events, s, want)
		}
	}
	// Copied fields give their literals; nocase folds them.
	f(`$e.metadata.product_event_type = "StartSession"`, `"StartSession"`)
	f(`$e.metadata.product_event_type = "StartSession" nocase`, `i"startsession"`)
	// A conjunction keeps its rarest term (by the trigram model).
	f(`$e.metadata.product_event_type in ("A1b2", "Xyz9") $e.principal.ip = "10.0.0.1"`, `or("A1b2" "Xyz9")`)
	f(`$e.target.application = "ssm.amazonaws.com" $e.metadata.product_event_type = "StartSession"`, `"StartSession"`)
	// Subscription cuts a substring out of the resource id: still in the record.
	f(`$e.target.cloud.project.id = "0000-1111"`, `"0000-1111"`)
	// Constants are decided exactly, per log type.
	f(`$e.metadata.vendor_name = "AMAZON" $e.metadata.product_event_type = "StartSession"`, `"StartSession"`)
	f(`$e.metadata.vendor_name = "Amazon Web Services"`, "dead")
	f(`$e.metadata.vendor_name = "amazon" nocase`, "free")
	f(`not $e.metadata.vendor_name = "AMAZON"`, "free")
	f(`$e.metadata.vendor_name != "Microsoft" $e.metadata.product_event_type = "StartSession"`, `"StartSession"`)
	// A field no log type maps is absent: "" against the literal.
	f(`$e.principal.application = "x1234"`, `"x1234"`)
	f(`$e.network.http.user_agent = "curl/8.0" $e.metadata.vendor_name = "Microsoft"`, "dead")
	// Derived fields, other operators, numbers and negations give nothing.
	f(`$e.metadata.event_type = "USER_LOGIN"`, "free")
	f(`$e.metadata.product_event_type != "StartSession"`, "free")
	f(`$e.metadata.product_version = 1.08`, "free")
	f(`not $e.metadata.product_event_type = "StartSession"`, "free")
	f(`$e.metadata.product_event_type = ""`, "free")
	f(`$e.metadata.product_event_type = "ab"`, "free")
	f(`$e.metadata.product_event_type in ("StartSession", "")`, "free")
	// Or needs every branch; And takes all.
	f(`$e.metadata.product_event_type = "StartSession" or $e.metadata.event_type = "X"`, "free")
	f(`$e.metadata.product_event_type = "StartSession" or $e.metadata.vendor_name = "Nobody"`, `"StartSession"`)
	// Non-ASCII under nocase: the longest ASCII run.
	f(`$e.principal.user.user_display_name = "Zoë Ünalová" nocase`, `i"nalov"`)
	f(`$e.principal.user.user_display_name = "Zoë Ünalová"`, `"Zoë Ünalová"`)
	f(`$e.principal.user.user_display_name = "a`+"\xff"+`bcd"`, "free")
	f(`$e.principal.user.user_display_name = "a`+"\uFFFD"+`bcd"`, "free")
	// Regexes: required literals via regexp/syntax.
	f("re.regex($e.target.resource.name, `(?i)VIRTUALMACHINES/RUNCOMMAND/ACTION`)", `i"virtualmachines/runcommand/action"`)
	f("$e.target.resource.name = /runcommands?\\/(action|write)/ nocase", `i"runcommand"`)
	f("$e.target.resource.name = /^i-[0-9a-f]+$/", "free")
	f("$e.target.resource.name != /abcd/", "free")
	f("$e.target.resource.name = /(abc)+x*/", `"abc"`)
	f("$e.target.resource.name = /(abc)?/", "free")
	f("$e.metadata.vendor_name = /^AMA/", "free")
	f("$e.metadata.vendor_name = /^Goo/", "dead")
}

func TestRequireBuiltin(t *testing.T) {
	all, err := rules.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	var rs []*rule.Rule
	for _, l := range all {
		rs = append(rs, l.Rule)
	}
	got := Require(rs)
	if got.Free || got.Dead != 0 || !got.FoldKS {
		t.Fatalf("free %v dead %d foldKS %v", got.Free, got.Dead, got.FoldKS)
	}
	want := `i"ec2-instance-connect.amazonaws.com"
i"enableserialconsoleaccess"
or(i"sendcommand" i"startautomationexecution")
or(i"startsession" i"resumesession" i"terminatesession")
or(i"microsoft.compute/virtualmachines/runcommand/action" i"microsoft.compute/virtualmachines/runcommands/write" i"microsoft.compute/virtualmachinescalesets/virtualmachines/runcommand/action" i"microsoft.compute/virtualmachinescalesets/virtualmachines/runcommands/write" i"microsoft.containerservice/managedclusters/runcommand/action")
i"microsoft.serialconsole/serialports/connect/action"
or(i"microsoft.compute/virtualmachines/extensions/write" i"microsoft.compute/virtualmachinescalesets/extensions/write")
or(i"virtualmachines/runcommand/action" i"serialconsole/consoleservices/access" i"virtualmachines/extensions/write")`
	if got.String() != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
