package s3

import (
	"errors"

	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/retrohunt/retrohunt/sources"
)

// IsNotExist reports whether err means a missing object or bucket. A bare
// 404 counts only without an error code (HEAD answers have no body):
// S3-compatible stores also answer 404 for an unknown access key.
func IsNotExist(err error) bool {
	if err == nil {
		return false
	}
	var (
		noKey    *types.NoSuchKey
		noBucket *types.NoSuchBucket
		notFound *types.NotFound
	)
	if errors.As(err, &noKey) || errors.As(err, &noBucket) || errors.As(err, &notFound) {
		return true
	}
	switch ErrorCode(err) {
	case "NoSuchKey", "NoSuchBucket", "NotFound":
		return true
	case "":
		return httpStatus(err) == 404
	}
	return false
}

// IsPermanent reports whether retrying cannot help: the request was
// understood and refused. Throttling, server errors, timeouts and network
// failures are worth another try.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrNoCredentials) || IsNotExist(err) {
		return true
	}
	switch ErrorCode(err) {
	case "SlowDown", "Throttling", "ThrottlingException", "RequestLimitExceeded",
		"TooManyRequestsException", "RequestThrottled",
		"InternalError", "ServiceUnavailable", "RequestTimeout",
		// The SDK refreshes credentials and corrects clock skew on its
		// next attempt.
		"ExpiredToken", "RequestTimeTooSkewed":
		return false
	}
	return sources.PermanentStatus(httpStatus(err))
}

// ErrorCode returns S3's error code ("NoSuchBucket", "AccessDenied", …)
// or "" when the request got no S3 answer.
func ErrorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// BucketRegion returns the region S3 named in a failed response
// (x-amz-bucket-region), as it does for a bucket in another region.
func BucketRegion(err error) string {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.Header.Get("X-Amz-Bucket-Region")
	}
	return ""
}

// HTTPStatus returns the HTTP status of a failed request, or 0 when no
// response arrived (network failure, timeout, no credentials).
func HTTPStatus(err error) int { return httpStatus(err) }

func httpStatus(err error) int {
	var re *smithyhttp.ResponseError
	if errors.As(err, &re) && re.Response != nil {
		return re.Response.StatusCode
	}
	return 0
}
