package sources

import "testing"

func TestRedact(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q)\n got %q\nwant %q", in, got, want)
		}
	}
	f("plain message", "plain message")
	f(`GET "https://acct.blob.core.windows.net/c?comp=list&sv=2022-11-02&sig=abc%2Bdef": dial tcp: refused`,
		`GET "https://acct.blob.core.windows.net/c?REDACTED": dial tcp: refused`)
	f("azblob://acct/c/p?sv=1&sig=SECRET", "azblob://acct/c/p?REDACTED")
	f("token sv=2022-11-02&ss=b&sig=SECRET%3D end", "token sv=2022-11-02&ss=b&sig=REDACTED end")
	f("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=Zm9vYmFy+/==;EndpointSuffix=core.windows.net",
		"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=REDACTED;EndpointSuffix=core.windows.net")
	f("BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=1&sig=S",
		"BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=REDACTED")
	f("https://b.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4&X-Amz-Signature=ff", "https://b.s3.amazonaws.com/k?REDACTED")
	f("Authorization: SharedKey devstoreaccount1:c2lnbmF0dXJl=", "Authorization: SharedKey devstoreaccount1:REDACTED")
	f("Authorization: Bearer eyJ0eXAi.eyJhdWQi.sig", "Authorization: Bearer REDACTED")
	f("s3://bucket/AWSLogs/key with space.json.gz", "s3://bucket/AWSLogs/key with space.json.gz")
	// Issue 15 item 10: userinfo, whole; an @ in a key is no userinfo.
	f(`cannot reach http://user:pa55@127.0.0.1:9000 for s3://b`, `cannot reach http://REDACTED@127.0.0.1:9000 for s3://b`)
	f(`Get "https://AKIDEXAMPLE@host/b?x=1": refused`, `Get "https://REDACTED@host/b?REDACTED": refused`)
	f("s3://bucket/AWSLogs/a@b.json.gz", "s3://bucket/AWSLogs/a@b.json.gz")
}
