package azblob

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/retrohunt/retrohunt/sources"
)

// blobHostSuffixes are the blob endpoints of the public and sovereign
// Azure clouds.
var blobHostSuffixes = []string{
	".blob.core.windows.net",
	".blob.core.chinacloudapi.cn",
	".blob.core.usgovcloudapi.net",
	".blob.storage.azure.net",
}

// IsBlobURL reports whether raw is an https URL of an Azure blob
// endpoint.
func IsBlobURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" {
		return false
	}
	host := strings.ToLower(u.Hostname())
	for _, s := range blobHostSuffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}

// ParseURL reads an archive URL into a Config and a key prefix:
//
//	azblob://<account>/<container>/<prefix>
//	https://<account>.blob.core.windows.net/<container>/<prefix>[?<SAS>]
//	http://127.0.0.1:10000/<account>/<container>/<prefix>  (an emulator)
//
// A SAS token in the query string goes to Config.SAS. Error messages
// never repeat the query string.
func ParseURL(raw string) (cfg Config, prefix string, err error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, "", fmt.Errorf("cannot parse Azure Blob URL %q", sources.Redact(raw))
	}
	path := strings.TrimPrefix(u.Path, "/")
	switch {
	case u.Scheme == "azblob":
		cfg.Account = u.Host
	case IsBlobURL(raw):
		cfg.Account = strings.SplitN(u.Hostname(), ".", 2)[0]
		cfg.ServiceURL = u.Scheme + "://" + u.Host
	case (u.Scheme == "http" || u.Scheme == "https") && isLoopback(u.Hostname()):
		account, rest, _ := strings.Cut(path, "/")
		cfg.Account = account
		cfg.ServiceURL = u.Scheme + "://" + u.Host + "/" + account
		path = rest
	default:
		return Config{}, "", fmt.Errorf("%s://%s is not an Azure Blob endpoint (want azblob://<account>/<container>/ or https://<account>.blob.core.windows.net/<container>/)", u.Scheme, u.Host)
	}
	cfg.Container, prefix, _ = strings.Cut(path, "/")
	if cfg.Account == "" || cfg.Container == "" {
		return Config{}, "", fmt.Errorf("Azure Blob URL %s://%s/%s names no account or container (want azblob://<account>/<container>/<prefix>)", u.Scheme, u.Host, sources.Redact(path))
	}
	cfg.SAS = u.RawQuery
	return cfg, prefix, nil
}
