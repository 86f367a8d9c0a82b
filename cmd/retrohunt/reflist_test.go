package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/retrohunt/retrohunt/scan/reflist"
	"github.com/retrohunt/retrohunt/sources/testservers"
)

// listFiles are one list of each kind, as SecOps lists are written (one
// value per line, // comments), named by suffix and by declaration.
var listFiles = map[string]string{
	"admins.txt":     "// people allowed to open sessions\nalice@example.com\nbob@example.com // on call\n",
	"bad_hosts":      "// kind: regex\n(^|\\.)evil\\.example$\n^c2-[0-9]+\\.\n",
	"corp_nets.cidr": "10.0.0.0/8\n2001:db8::/32\n",
}

// checkLists checks the three lists of listFiles by what each must
// match, worked out by hand from the files.
func checkLists(t *testing.T, set reflist.Set) {
	t.Helper()
	want := map[string]struct {
		kind    reflist.Kind
		n       int
		yes, no string
	}{
		"admins":    {reflist.String, 2, "bob@example.com", "carol@example.com"},
		"bad_hosts": {reflist.Regex, 2, "www.evil.example", "notevil.example.org"},
		"corp_nets": {reflist.CIDR, 2, "10.20.30.40", "192.0.2.1"},
	}
	if len(set) != len(want) {
		t.Errorf("%d lists, want %d: %v", len(set), len(want), set)
	}
	for name, w := range want {
		l := set[name]
		if l == nil {
			t.Errorf("no list %s", name)
			continue
		}
		if l.Kind() != w.kind || l.Len() != w.n || !l.Match(w.yes, false) || l.Match(w.no, false) {
			t.Errorf("list %s: kind %v, %d values, Match(%q) %v, Match(%q) %v", name, l.Kind(), l.Len(), w.yes, l.Match(w.yes, false), w.no, l.Match(w.no, false))
		}
	}
}

func writeListDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range listFiles {
		put(t, dir, name, []byte(body))
	}
	return dir
}

func TestReferenceListsLocal(t *testing.T) {
	dir := writeListDir(t)
	set, err := loadLists(context.Background(), nil, []string{dir}, &sourceFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkLists(t, set)
	set, err = loadLists(context.Background(), []string{
		"admins=" + filepath.Join(dir, "admins.txt"),
		"bad_hosts=file://" + filepath.Join(dir, "bad_hosts"),
		"corp_nets=" + filepath.Join(dir, "corp_nets.cidr"),
	}, nil, &sourceFlags{})
	if err != nil {
		t.Fatal(err)
	}
	checkLists(t, set)
	// The scan takes them (the built-in pack names none).
	if code, _, errOut := cli(t, "scan", oneHit(t), "--reference-lists", dir, "--format", "jsonl", "--quiet"); code != exitOK {
		t.Errorf("scan with lists: exit %d\n%s", code, errOut)
	}
}

func TestReferenceListsS3(t *testing.T) {
	srv := testservers.SharedS3(t)
	bucket := srv.NewBucket(t)
	srv.UploadDir(t, bucket, writeListDir(t))
	// A longer key beside a list file must not be taken for it.
	if err := srv.Put(context.Background(), bucket, "admins.txt.bak", []byte("mallory\n")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", srv.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", srv.SecretKey)
	t.Setenv("AWS_REGION", srv.Region)
	src := &sourceFlags{endpoint: srv.Endpoint, pathStyle: true}
	set, err := loadLists(context.Background(), []string{
		"admins=s3://" + bucket + "/admins.txt",
		"bad_hosts=s3://" + bucket + "/bad_hosts",
		"corp_nets=s3://" + bucket + "/corp_nets.cidr",
	}, nil, src)
	if err != nil {
		t.Fatal(err)
	}
	checkLists(t, set)
	if set["admins"].Match("mallory", false) {
		t.Error("admins.txt.bak was read as admins.txt")
	}
	// A bad list on S3 through the CLI: exit 2, its bad line named.
	if err := srv.Put(context.Background(), bucket, "more/nets.cidr", []byte("10.0.0.0/8\n300.1.1.1\n")); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := cli(t, "scan", oneHit(t), "--endpoint", srv.Endpoint, "--path-style", "--reference-lists", "s3://"+bucket+"/more/")
	if code != exitUsage || !strings.Contains(errOut, "nets:2:1: bad CIDR range") {
		t.Errorf("bad S3 list: exit %d\n%s", code, errOut)
	}
}

func TestReferenceListsAzure(t *testing.T) {
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", "")
	az := testservers.SharedAzurite(t)
	container := az.NewContainer(t)
	dir := t.TempDir()
	for name, body := range listFiles {
		put(t, dir, "lists/"+name, []byte(body))
	}
	put(t, dir, "lists/deeper/ignored.txt", []byte("x\n"))
	az.UploadDir(t, container, dir)
	t.Setenv("AZURE_STORAGE_CONNECTION_STRING", az.ConnectionString())
	set, err := loadLists(context.Background(), nil, []string{"azblob://" + az.Account + "/" + container + "/lists"}, &sourceFlags{endpoint: az.ServiceURL})
	if err != nil {
		t.Fatal(err)
	}
	checkLists(t, set)
}

// TestBadReferenceListsAllAtOnce: every bad line of every list, and a
// missing file, in one refusal (exit 2), each with name:line:col.
func TestBadReferenceListsAllAtOnce(t *testing.T) {
	dir := t.TempDir()
	put(t, dir, "lists/nets.cidr", []byte("10.0.0.0/8\n  10.0.0.300\nfe80::/129\n"))
	put(t, dir, "lists/hosts.regex", []byte("ok\n(unclosed\n"))
	put(t, dir, "lists/fine.txt", []byte("alice\n"))
	code, _, errOut := cli(t, "scan", oneHit(t), "--reference-lists", filepath.Join(dir, "lists"), "--reference-list", "gone="+filepath.Join(dir, "gone.txt"),
		"--reference-list", "nonsense")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2\n%s", code, errOut)
	}
	for _, want := range []string{"nets:2:3: bad CIDR range", "nets:3:1: bad CIDR range", "hosts:2:1: bad regular expression", "reference list gone:", `--reference-list "nonsense": want NAME=PATH`} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "fine") {
		t.Errorf("stderr names the good list:\n%s", errOut)
	}
	// Too large: refused without reading it all.
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(reflist.MaxBytes + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, _, errOut := cli(t, "scan", oneHit(t), "--reference-list", "big="+big); code != exitUsage || !strings.Contains(errOut, "larger than the 256 MiB cap") {
		t.Errorf("a list over the cap: exit %d\n%s", code, errOut)
	}
}
