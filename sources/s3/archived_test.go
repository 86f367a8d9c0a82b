package s3

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// versitygw keeps no storage classes, so the archive-tier decision is
// tested on the listing attributes S3 returns.
func TestArchived(t *testing.T) {
	restored := &types.RestoreStatus{IsRestoreInProgress: aws.Bool(false), RestoreExpiryDate: aws.Time(time.Now().Add(time.Hour))}
	inProgress := &types.RestoreStatus{IsRestoreInProgress: aws.Bool(true)}
	for _, c := range []struct {
		class types.ObjectStorageClass
		rs    *types.RestoreStatus
		want  bool
	}{
		{types.ObjectStorageClassStandard, nil, false},
		{types.ObjectStorageClassGlacierIr, nil, false},
		{types.ObjectStorageClassStandardIa, nil, false},
		{types.ObjectStorageClassGlacier, nil, true},
		{types.ObjectStorageClassDeepArchive, nil, true},
		{types.ObjectStorageClassGlacier, inProgress, true},
		{types.ObjectStorageClassDeepArchive, restored, false},
	} {
		if got := archived(types.Object{StorageClass: c.class, RestoreStatus: c.rs}); got != c.want {
			t.Errorf("%s restore %+v: archived %v, want %v", c.class, c.rs, got, c.want)
		}
	}
}
