package open

import (
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"
	"syscall"

	"github.com/retrohunt/retrohunt/sources"
	"github.com/retrohunt/retrohunt/sources/azblob"
	"github.com/retrohunt/retrohunt/sources/s3"
)

// Kind is a failure the user can act on.
type Kind uint8

const (
	KindOther          Kind = iota
	KindNoCredentials       // nothing to sign requests with
	KindBadCredentials      // the store rejected the key, secret or token
	KindAccessDenied        // the identity lacks a permission
	KindNotFound            // no such bucket or container
	KindWrongRegion         // the bucket lives in another region
	KindUnreachable         // no answer from the endpoint
)

// Error is a failure to open an archive, with what to do about it.
type Error struct {
	Kind     Kind
	Location string // "s3://bucket" or "azblob://account/container"
	Endpoint string // where requests went
	Code     string // the store's error code, if it answered
	Region   string // KindWrongRegion: the bucket's region
	Used     string // KindWrongRegion: the region requests were signed for
	Err      error
}

func (e *Error) Unwrap() error { return e.Err }

// Error says what failed and what to do, in one line without secrets.
func (e *Error) Error() string {
	aws := strings.HasPrefix(e.Location, "s3://")
	code := ""
	if e.Code != "" {
		code = " (" + e.Code + ")"
	}
	var msg string
	switch e.Kind {
	case KindNoCredentials:
		if aws {
			msg = fmt.Sprintf("no AWS credentials for %s: set AWS_PROFILE or pass --profile, export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run \"aws sso login\"", e.Location)
		} else {
			msg = fmt.Sprintf("no Azure credentials for %s: set AZURE_STORAGE_CONNECTION_STRING, pass a SAS token (AZURE_STORAGE_SAS_TOKEN, --sas or ?sv=… on the https URL), set AZURE_STORAGE_KEY, or run \"az login\"", e.Location)
		}
	case KindBadCredentials:
		if aws {
			msg = fmt.Sprintf("credentials rejected by %s%s: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or --profile (expired session?)", e.Location, code)
		} else {
			msg = fmt.Sprintf("credentials rejected by %s%s: check the account key or SAS token (expired? for another account?)", e.Location, code)
		}
	case KindAccessDenied:
		if aws {
			msg = fmt.Sprintf("access denied to %s%s: the credentials need s3:ListBucket and s3:GetObject on it; check --profile and the bucket policy", e.Location, code)
		} else {
			// Azure (and Azurite, for a bad signature) answers
			// AuthorizationFailure for several causes; name them all.
			msg = fmt.Sprintf("access denied to %s%s: check the account key or SAS token (read and list permissions, not expired), the identity's Storage Blob Data Reader role, and the account's network rules", e.Location, code)
		}
	case KindNotFound:
		if aws {
			msg = fmt.Sprintf("no such bucket %s: check the bucket name", e.Location)
			if e.Endpoint != "AWS S3" {
				msg += " and --endpoint " + e.Endpoint
			}
		} else {
			msg = fmt.Sprintf("no such container %s: check the account and container names (Azure Monitor exports the Activity Log to insights-activity-logs)", e.Location)
		}
	case KindWrongRegion:
		used := ""
		if e.Used != "" {
			used = ", not " + e.Used
		}
		msg = fmt.Sprintf("%s is in region %s%s: pass --region %s", e.Location, e.Region, used, e.Region)
	case KindUnreachable:
		msg = fmt.Sprintf("cannot reach %s for %s (%s): check the endpoint, the account name and the network", e.Endpoint, e.Location, netCause(e.Err))
	default:
		msg = oneLine(e.Err.Error())
	}
	return sources.Redact(msg)
}

// Explain returns the one-line message to show for err: the advice of an
// *Error, or else err's text on one line with credentials removed and,
// when the failure is recognisable, a hint.
func Explain(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Error()
	}
	msg := sources.Redact(oneLine(err.Error()))
	switch kindOf(err) {
	case KindNoCredentials:
		msg += " (no credentials found)"
	case KindBadCredentials:
		msg += " (credentials rejected)"
	case KindAccessDenied:
		msg += " (access denied: check the identity's permissions)"
	case KindWrongRegion:
		msg += " (wrong region: pass --region)"
	case KindUnreachable:
		msg += " (endpoint unreachable)"
	}
	return msg
}

// classify turns a failure at open time into an *Error when it is one the
// user can fix, and returns err unchanged otherwise.
func classify(err error, loc, endpoint, region string) error {
	k := kindOf(err)
	if k == KindOther {
		return err
	}
	e := &Error{Kind: k, Location: loc, Endpoint: endpoint, Code: code(err), Used: region, Err: err}
	if k == KindWrongRegion {
		e.Region = wrongRegion(err)
	}
	return e
}

func code(err error) string {
	if c := s3.ErrorCode(err); c != "" {
		return c
	}
	return azblob.ErrorCode(err)
}

func status(err error) int {
	if s := s3.HTTPStatus(err); s != 0 {
		return s
	}
	return azblob.HTTPStatus(err)
}

func kindOf(err error) Kind {
	if errors.Is(err, s3.ErrNoCredentials) || errors.Is(err, azblob.ErrNoCredentials) {
		return KindNoCredentials
	}
	switch code(err) {
	case "NoSuchBucket", "ContainerNotFound":
		return KindNotFound
	case "PermanentRedirect":
		return KindWrongRegion
	case "AuthorizationHeaderMalformed":
		if wrongRegion(err) != "" {
			return KindWrongRegion
		}
		return KindBadCredentials
	case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
		"TokenRefreshRequired", "XAdminUserNotFound", // versitygw's unknown access key
		"AuthenticationFailed", "InvalidAuthenticationInfo":
		return KindBadCredentials
	case "AccessDenied", "AllAccessDisabled", "AuthorizationFailure",
		"AuthorizationPermissionMismatch", "AuthorizationSourceIPMismatch",
		"AuthorizationProtocolMismatch", "AuthorizationResourceTypeMismatch":
		return KindAccessDenied
	}
	switch status(err) {
	case 301:
		return KindWrongRegion
	case 401, 403:
		return KindAccessDenied
	case 0:
		var op *net.OpError
		var dns *net.DNSError
		if errors.As(err, &op) || errors.As(err, &dns) {
			return KindUnreachable
		}
	}
	return KindOther
}

var expectingRegion = regexp.MustCompile(`expecting ['"]([a-z0-9-]+)['"]`)

// wrongRegion finds the bucket's region in a redirect header or in the
// message S3 sends with AuthorizationHeaderMalformed.
func wrongRegion(err error) string {
	if r := s3.BucketRegion(err); r != "" {
		return r
	}
	if m := expectingRegion.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return ""
}

// netCause names a network failure in a few words.
func netCause(err error) string {
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns):
		return "no such host " + dns.Name
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "no route to host"
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Timeout() {
		return "timed out"
	}
	return "no answer"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
