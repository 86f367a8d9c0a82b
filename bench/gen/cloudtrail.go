package gen

import (
	"strconv"
	"strings"
	"time"
)

// ctWriter renders CloudTrail records. Field order follows real
// CloudTrail delivery (eventVersion, userIdentity, eventTime, …,
// eventCategory, tlsDetails), as in the AWS docs and the agent heartbeat
// sample; the stratus samples are key-sorted by their exporter.
type ctWriter struct {
	cfg *Config
	r   rng
	w   *world
	a   *awsAccount
	g   *awsRegion
	t   time.Time
	old bool // pre-2021 shape: eventVersion 1.05, no managementEvent/eventCategory/tlsDetails

	uaRaw     bool // write userAgent verbatim (already JSON-escaped)
	shared    bool // write a sharedEventID
	eventID   []byte
	principal string
}

var oldCut = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// object renders one CloudTrail log file body: {"Records":[...]}.
func (c *ctWriter) object(b []byte, w *world, o *object, res *result) []byte {
	c.r = newRNG(o.seed)
	c.w, c.a = w, w.accounts[o.acct]
	c.g = c.a.regions[o.region]
	b = append(b, `{"Records":[`...)
	plants := o.plants
	for i := 0; i < o.n; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		c.t = o.t.Add(-time.Duration(c.r.intn(901)) * time.Second)
		c.old = c.t.Before(oldCut)
		if res.oldest.IsZero() || c.t.Before(res.oldest) {
			res.oldest = c.t
		}
		if c.t.After(res.newest) {
			res.newest = c.t
		}
		if len(plants) > 0 && plants[0].index == i {
			pl := plants[0]
			plants = plants[1:]
			if pl.decoy {
				var name string
				b, name = c.decoy(b, pl.kind)
				res.decoys = append(res.decoys, Decoy{Key: o.key, RecordIndex: i, EventName: name, Kind: pl.kind})
				continue
			}
			var name string
			b, name = c.positive(b, pl.kind, pl.fail)
			result := "success"
			if pl.fail {
				result = "failure"
			}
			res.truth = append(res.truth, Truth{Key: o.key, RecordIndex: i, LogType: logCloudTrail,
				EventName: name, EventID: string(c.eventID), Principal: c.principal, Result: result, Kind: pl.kind})
			continue
		}
		b = c.noise(b)
	}
	res.records = o.n
	return append(b, "]}"...)
}

// version returns v, or the pre-2021 "1.05".
func (c *ctWriter) version(v string) string {
	if c.old {
		return "1.05"
	}
	return v
}

// head writes the record up to userAgent (and errorCode/errorMessage).
// name is written verbatim, so it may carry JSON escapes.
func (c *ctWriter) head(b []byte, ver string, id *identity, src, name, ip, ua string) []byte {
	b = append(b, `{"eventVersion":"`...)
	b = append(b, c.version(ver)...)
	b = append(b, '"')
	b = fraw(b, "userIdentity", id.json)
	b = appendTime(key(b, "eventTime"), c.t)
	b = fstr(b, "eventSource", src)
	b = key(b, "eventName")
	b = append(b, '"')
	b = append(b, name...)
	b = append(b, '"')
	b = fstr(b, "awsRegion", c.g.name)
	b = fstr(b, "sourceIPAddress", ip)
	c.principal = id.arn
	if c.uaRaw {
		c.uaRaw = false
		b = key(b, "userAgent")
		b = append(b, '"')
		b = append(b, ua...)
		return append(b, '"')
	}
	return fstr(b, "userAgent", ua)
}

// ids writes requestID and eventID; requestID is a UUID or, for S3, 16
// upper-case alphanumerics.
func (c *ctWriter) ids(b []byte, s3 bool) []byte {
	b = append(key(b, "requestID"), '"')
	if s3 {
		b = c.r.appendRand(b, upperNum, 16)
	} else {
		b = c.r.appendUUID(b)
	}
	b = append(key(append(b, '"'), "eventID"), '"')
	start := len(b)
	b = c.r.appendUUID(b)
	c.eventID = b[start:len(b):len(b)]
	return append(b, '"')
}

// tail writes eventType through tlsDetails and closes the record.
func (c *ctWriter) tail(b []byte, mgmt bool, category string, tls []byte, vpce string) []byte {
	b = fstr(b, "eventType", "AwsApiCall")
	if !c.old {
		b = fbool(b, "managementEvent", mgmt)
	}
	b = fstr(b, "recipientAccountId", c.a.id)
	if c.shared {
		c.shared = false
		b = append(key(b, "sharedEventID"), '"')
		b = append(c.r.appendUUID(b), '"')
	}
	if vpce != "" {
		b = fstr(b, "vpcEndpointId", vpce)
		b = fstr(b, "vpcEndpointAccountId", c.a.id)
	}
	if !c.old {
		b = fstr(b, "eventCategory", category)
		if tls != nil {
			b = fraw(b, "tlsDetails", tls)
		}
	}
	return append(b, '}')
}

func (c *ctWriter) tls(id *identity, svc string) []byte {
	switch {
	case id.kind == idService || id.invoked != "":
		return nil
	case id.tls13:
		return c.g.tls13[svc]
	}
	return c.g.tls12[svc]
}

// caller picks who makes an interactive or automated API call.
func (c *ctWriter) caller() *identity {
	if c.r.chance(450) {
		return pick(&c.r, c.a.humans)
	}
	return pick(&c.r, c.a.services)
}

// noise writes one ordinary record. Shares are per ten thousand.
func (c *ctWriter) noise(b []byte) []byte {
	switch n := c.r.intn(10000); {
	case n < 4000:
		return c.updateInstanceInformation(b)
	case n < 5500:
		return c.ssmRead(b)
	case n < 7000:
		return c.s3Data(b)
	case n < 8000:
		return c.sts(b)
	case n < 8950:
		return c.ec2Describe(b)
	case n < 9900:
		return c.kms(b)
	default:
		return c.rare(b)
	}
}

func (c *ctWriter) updateInstanceInformation(b []byte) []byte {
	in := pick(&c.r, c.g.instances)
	b = c.head(b, "1.11", in.ident, "ssm.amazonaws.com", "UpdateInstanceInformation", in.ip, in.ua)
	b = fraw(b, "requestParameters", in.uii)
	b = fnull(b, "responseElements")
	b = c.ids(b, false)
	b = fbool(b, "readOnly", false)
	return c.tail(b, true, "Management", c.g.tls12["ssm"], "")
}

func (c *ctWriter) ssmRead(b []byte) []byte {
	n := c.r.intn(1500)
	if n < 400 { // the agent polling its associations
		in := pick(&c.r, c.g.instances)
		b = c.head(b, "1.08", in.ident, "ssm.amazonaws.com", "ListInstanceAssociations", in.ip, in.ua)
		b = fobj(b, "requestParameters")
		b = fstr(b, "instanceId", in.id)
		b = fint(b, "maxResults", 50)
		b = append(b, '}')
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", true)
		return c.tail(b, true, "Management", c.g.tls12["ssm"], "")
	}
	id := c.caller()
	switch {
	case n < 900:
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "DescribeInstanceInformation", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		if c.r.chance(500) {
			b = farr(b, "filters")
			b = append(elem(b), '{')
			b = fstr(b, "key", "InstanceIds")
			b = farr(b, "values")
			for j := c.r.between(1, 3); j > 0; j-- {
				b = appendString(elem(b), pick(&c.r, c.g.instances).id)
			}
			b = append(b, ']', '}', ']')
		} else {
			b = fint(b, "maxResults", 50)
		}
		b = append(b, '}')
	case n < 1200:
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "GetCommandInvocation", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = append(key(b, "commandId"), '"')
		b = append(c.r.appendUUID(b), '"')
		b = fstr(b, "instanceId", pick(&c.r, c.g.instances).id)
		b = append(b, '}')
	case n < 1400:
		b = c.head(b, "1.08", id, "ssm.amazonaws.com", "ListCommands", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		if c.r.chance(500) {
			b = append(key(b, "commandId"), '"')
			b = append(c.r.appendUUID(b), '"')
		} else {
			b = fstr(b, "instanceId", pick(&c.r, c.g.instances).id)
			b = fint(b, "maxResults", 50)
		}
		b = append(b, '}')
	case n < 1440:
		b = c.describeSessions(b, id)
	case n < 1470:
		b = c.getConnectionStatus(b, id)
	default:
		b = c.listCommandInvocations(b, id)
	}
	b = fnull(b, "responseElements")
	b = c.ids(b, false)
	b = fbool(b, "readOnly", true)
	return c.tail(b, true, "Management", c.tls(id, "ssm"), "")
}

func (c *ctWriter) describeSessions(b []byte, id *identity) []byte {
	b = c.head(b, "1.08", id, "ssm.amazonaws.com", "DescribeSessions", id.ip, id.ua(&c.r))
	b = fobj(b, "requestParameters")
	b = fstr(b, "state", "Active")
	b = farr(b, "filters")
	b = append(elem(b), '{')
	b = fstr(b, "key", "Target")
	b = fstr(b, "value", pick(&c.r, c.g.instances).id)
	return append(b, '}', ']', '}')
}

func (c *ctWriter) getConnectionStatus(b []byte, id *identity) []byte {
	b = c.head(b, "1.08", id, "ssm.amazonaws.com", "GetConnectionStatus", id.ip, id.ua(&c.r))
	b = fobj(b, "requestParameters")
	b = fstr(b, "target", pick(&c.r, c.g.instances).id)
	return append(b, '}')
}

func (c *ctWriter) listCommandInvocations(b []byte, id *identity) []byte {
	b = c.head(b, "1.08", id, "ssm.amazonaws.com", "ListCommandInvocations", id.ip, id.ua(&c.r))
	b = fobj(b, "requestParameters")
	b = append(key(b, "commandId"), '"')
	b = append(c.r.appendUUID(b), '"')
	b = fbool(b, "details", true)
	return append(b, '}')
}

var s3Prefixes = []string{"data/2025/", "exports/daily/", "uploads/", "reports/q1/", "tmp/spark/part-"}

var s3Ext = []string{".parquet", ".json", ".csv.gz", ".png", ".pdf"}

// s3Data writes a GetObject, PutObject or ListObjects data event.
func (c *ctWriter) s3Data(b []byte) []byte {
	id := pick(&c.r, c.a.services)
	if c.r.chance(250) {
		id = pick(&c.r, c.a.humans)
	}
	bucket := pick(&c.r, c.a.buckets)
	name := "GetObject"
	switch n := c.r.intn(1500); {
	case n >= 1200:
		name = "ListObjects"
	case n >= 800:
		name = "PutObject"
	}
	ua := id.ua(&c.r)
	b = c.head(b, "1.10", id, "s3.amazonaws.com", name, id.ip, "["+ua+"]")
	// The object key, rendered once and reused in the ARN.
	k0 := len(b)
	b = append(b, pick(&c.r, s3Prefixes)...)
	b = strconv.AppendInt(b, int64(c.r.intn(100000)), 10)
	b = append(b, pick(&c.r, s3Ext)...)
	objKey := string(b[k0:])
	b = b[:k0]

	b = fobj(b, "requestParameters")
	b = fstr(b, "bucketName", bucket)
	b = c.s3Host(key(b, "Host"), bucket)
	if name == "ListObjects" {
		b = fstr(b, "list-type", "2")
		b = fstr(b, "prefix", pick(&c.r, s3Prefixes))
		b = fstr(b, "encoding-type", "url")
	} else {
		b = fstr(b, "key", objKey)
	}
	b = append(b, '}')
	if name == "PutObject" {
		b = fobj(b, "responseElements")
		b = fstr(b, "x-amz-server-side-encryption", "aws:kms")
		b = fstr(b, "x-amz-server-side-encryption-aws-kms-key-id", c.g.kmsKeys[0])
		b = append(b, '}')
	} else {
		b = fnull(b, "responseElements")
	}
	b = fobj(b, "additionalEventData")
	b = fstr(b, "SignatureVersion", "SigV4")
	b = fstr(b, "CipherSuite", "TLS_AES_128_GCM_SHA256")
	in, out := 0, 0
	if name == "PutObject" {
		in = c.r.between(200, 4<<20)
	} else {
		out = c.r.between(200, 4<<20)
	}
	b = fint(b, "bytesTransferredIn", int64(in))
	b = fstr(b, "AuthenticationMethod", "AuthHeader")
	b = append(key(b, "x-amz-id-2"), '"')
	b = c.r.appendRand(b, alnum, 75)
	b = append(b, '=', '"')
	b = fint(b, "bytesTransferredOut", int64(out))
	b = append(b, '}')
	b = c.ids(b, true)
	b = fbool(b, "readOnly", name != "PutObject")
	b = farr(b, "resources")
	b = append(elem(b), '{')
	b = fstr(b, "type", "AWS::S3::Object")
	if name == "ListObjects" {
		b = fstr(b, "ARNPrefix", "arn:aws:s3:::"+bucket+"/")
	} else {
		b = fstr(b, "ARN", "arn:aws:s3:::"+bucket+"/"+objKey)
	}
	b = append(b, '}')
	b = append(elem(b), '{')
	b = fstr(b, "accountId", c.a.id)
	b = fstr(b, "type", "AWS::S3::Bucket")
	b = fstr(b, "ARN", "arn:aws:s3:::"+bucket)
	b = append(b, '}', ']')
	b = fstr(b, "eventType", "AwsApiCall")
	b = fbool(b, "managementEvent", false)
	b = fstr(b, "recipientAccountId", c.a.id)
	b = fstr(b, "eventCategory", "Data")
	b = fobj(b, "tlsDetails")
	b = fstr(b, "tlsVersion", "TLSv1.3")
	b = fstr(b, "cipherSuite", "TLS_AES_128_GCM_SHA256")
	b = c.s3Host(key(b, "clientProvidedHostHeader"), bucket)
	return append(b, '}', '}')
}

func (c *ctWriter) s3Host(b []byte, bucket string) []byte {
	b = append(b, '"')
	b = append(b, bucket...)
	b = append(b, ".s3."...)
	b = append(b, c.g.name...)
	b = append(b, ".amazonaws.com\""...)
	return b
}

// sts writes AssumeRole (mostly by AWS services for instance and
// function roles) or GetCallerIdentity.
func (c *ctWriter) sts(b []byte) []byte {
	if c.r.chance(300) {
		id := c.caller()
		b = c.head(b, "1.08", id, "sts.amazonaws.com", "GetCallerIdentity", id.ip, id.ua(&c.r))
		b = fnull(b, "requestParameters")
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", true)
		return c.tail(b, true, "Management", c.tls(id, "sts"), "")
	}
	var id *identity
	var role, session string
	if c.r.chance(600) {
		id = pick(&c.r, c.a.aws[:2]) // ec2 and lambda assume roles for their workloads
		if id.invoked == "ec2.amazonaws.com" {
			in := pick(&c.r, c.g.instances)
			role, session = "arn:aws:iam::"+c.a.id+":role/web-InstanceRole", in.id
		} else {
			role, session = "arn:aws:iam::"+c.a.id+":role/service-role/order-processor-role", "order-processor"
		}
	} else {
		id = pick(&c.r, c.a.humans)
		role, session = pick(&c.r, c.a.roles), "session-"+strconv.Itoa(c.r.intn(1e6))
	}
	// Some AWS-service records still carry the old shape.
	if id.kind == idService && c.r.chance(20) {
		c.old = true
	}
	ip, ua := id.ip, id.ua(&c.r)
	b = c.head(b, "1.08", id, "sts.amazonaws.com", "AssumeRole", ip, ua)
	b = fobj(b, "requestParameters")
	b = fstr(b, "roleArn", role)
	b = fstr(b, "roleSessionName", session)
	if id.kind != idService {
		b = fint(b, "durationSeconds", 3600)
	}
	b = append(b, '}')
	b = fobj(b, "responseElements")
	b = fobj(b, "credentials")
	b = append(key(b, "accessKeyId"), `"ASIA`...)
	b = append(c.r.appendRand(b, upperNum, 16), '"')
	b = append(key(b, "sessionToken"), `"IQoJb3JpZ2luX2Vj`...)
	b = append(c.r.appendRand(b, alnum, 200), '"')
	b = appendExpiration(key(b, "expiration"), c.t.Add(time.Hour))
	b = append(b, '}')
	b = fobj(b, "assumedRoleUser")
	b = append(key(b, "assumedRoleId"), `"AROA`...)
	b = c.r.appendRand(b, upperNum, 17)
	b = append(b, ':')
	b = append(b, session...)
	b = append(b, '"')
	b = fstr(b, "arn", "arn:aws:sts::"+c.a.id+":assumed-role/"+role[strings.LastIndexByte(role, '/')+1:]+"/"+session)
	b = append(b, '}', '}')
	b = c.ids(b, false)
	b = fbool(b, "readOnly", true)
	b = farr(b, "resources")
	b = append(elem(b), '{')
	b = fstr(b, "accountId", c.a.id)
	b = fstr(b, "type", "AWS::IAM::Role")
	b = fstr(b, "ARN", role)
	b = append(b, '}', ']')
	c.shared = id.kind == idService
	return c.tail(b, true, "Management", c.tls(id, "sts"), "")
}

// appendExpiration writes the "Jun 1, 2024, 6:00:00 PM" form STS uses.
func appendExpiration(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, "Jan 2, 2006, 3:04:05 PM")
	return append(b, '"')
}

var ec2Describes = []string{"DescribeInstances", "DescribeInstances", "DescribeInstances", "DescribeInstanceStatus",
	"DescribeInstanceStatus", "DescribeSecurityGroups", "DescribeVpcs", "DescribeVolumes", "DescribeNetworkInterfaces", "DescribeSubnets"}

func (c *ctWriter) ec2Describe(b []byte) []byte {
	id := c.caller()
	name := pick(&c.r, ec2Describes)
	b = c.head(b, "1.10", id, "ec2.amazonaws.com", name, id.ip, id.ua(&c.r))
	b = fobj(b, "requestParameters")
	switch name {
	case "DescribeInstances":
		b = fobj(b, "instancesSet")
		if c.r.chance(500) {
			b = farr(b, "items")
			b = append(elem(b), '{')
			b = fstr(b, "instanceId", pick(&c.r, c.g.instances).id)
			b = append(b, '}', ']')
		}
		b = append(b, '}')
		b = append(fobj(b, "filterSet"), '}')
	case "DescribeInstanceStatus":
		b = append(fobj(b, "instancesSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
		b = fbool(b, "includeAllInstances", c.r.chance(500))
	case "DescribeSecurityGroups":
		b = append(fobj(b, "securityGroupSet"), '}')
		b = append(fobj(b, "securityGroupIdSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
	case "DescribeVpcs":
		b = append(fobj(b, "vpcSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
	case "DescribeVolumes":
		b = append(fobj(b, "volumeSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
	case "DescribeNetworkInterfaces":
		b = append(fobj(b, "networkInterfaceIdSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
	default:
		b = append(fobj(b, "subnetSet"), '}')
		b = append(fobj(b, "filterSet"), '}')
	}
	b = append(b, '}')
	b = fnull(b, "responseElements")
	b = c.ids(b, false)
	b = fbool(b, "readOnly", true)
	return c.tail(b, true, "Management", c.tls(id, "ec2"), "")
}

// kms writes Decrypt or GenerateDataKey, from workloads and from AWS
// services acting for them.
func (c *ctWriter) kms(b []byte) []byte {
	name := "Decrypt"
	if c.r.chance(370) {
		name = "GenerateDataKey"
	}
	var id *identity
	if c.r.chance(250) {
		id = c.a.aws[2] // cloudtrail.amazonaws.com encrypting log files
	} else {
		id = c.caller()
	}
	b = c.head(b, "1.08", id, "kms.amazonaws.com", name, id.ip, id.ua(&c.r))
	keyArn := pick(&c.r, c.g.kmsKeys)
	b = fobj(b, "requestParameters")
	if name == "GenerateDataKey" {
		b = fstr(b, "keyId", keyArn)
	}
	b = fobj(b, "encryptionContext")
	switch {
	case id.invoked == "cloudtrail.amazonaws.com":
		b = fstr(b, "aws:cloudtrail:arn", "arn:aws:cloudtrail:"+c.g.name+":"+c.a.id+":trail/"+c.w.trail)
	case id.kind == idRole:
		b = fstr(b, "aws:lambda:FunctionArn", "arn:aws:lambda:"+c.g.name+":"+c.a.id+":function:"+id.name)
	default:
		b = fstr(b, "aws:s3:arn", "arn:aws:s3:::"+pick(&c.r, c.a.buckets))
	}
	b = append(b, '}')
	if name == "GenerateDataKey" {
		b = fstr(b, "keySpec", "AES_256")
	} else {
		b = fstr(b, "encryptionAlgorithm", "SYMMETRIC_DEFAULT")
	}
	b = append(b, '}')
	b = fnull(b, "responseElements")
	b = c.ids(b, false)
	b = fbool(b, "readOnly", true)
	b = c.kmsResource(b, keyArn)
	return c.tail(b, true, "Management", c.tls(id, "kms"), "")
}

func (c *ctWriter) kmsResource(b []byte, keyArn string) []byte {
	b = farr(b, "resources")
	b = append(elem(b), '{')
	b = fstr(b, "accountId", c.a.id)
	b = fstr(b, "type", "AWS::KMS::Key")
	b = fstr(b, "ARN", keyArn)
	return append(b, '}', ']')
}

// rare writes the few control-plane changes: instances come and go,
// roles are read and written.
func (c *ctWriter) rare(b []byte) []byte {
	id := pick(&c.r, c.a.humans)
	switch n := c.r.intn(100); {
	case n < 15:
		return c.runInstances(b, id)
	case n < 30:
		b = c.head(b, "1.10", id, "ec2.amazonaws.com", "TerminateInstances", id.ip, id.ua(&c.r))
		inst := pick(&c.r, c.g.instances).id
		b = fobj(b, "requestParameters")
		b = c.instancesSet(b, inst)
		b = append(b, '}')
		b = fobj(b, "responseElements")
		b = append(key(b, "requestId"), '"')
		b = append(c.r.appendUUID(b), '"')
		b = fobj(b, "instancesSet")
		b = farr(b, "items")
		b = append(elem(b), '{')
		b = fstr(b, "instanceId", inst)
		b = append(b, `,"currentState":{"code":32,"name":"shutting-down"},"previousState":{"code":16,"name":"running"}}]}}`...)
		b = c.ids(b, false)
		b = fbool(b, "readOnly", false)
		return c.tail(b, true, "Management", c.tls(id, "ec2"), "")
	case n < 80 && c.g.name == "us-east-1":
		return c.iam(b, id, n)
	default:
		b = c.head(b, "1.10", id, "ec2.amazonaws.com", "DescribeInstanceConnectEndpoints", id.ip, id.ua(&c.r))
		b = fobj(b, "requestParameters")
		b = fstr(b, "DescribeInstanceConnectEndpointsRequest", "")
		b = append(b, '}')
		b = fnull(b, "responseElements")
		b = c.ids(b, false)
		b = fbool(b, "readOnly", true)
		return c.tail(b, true, "Management", c.tls(id, "ec2"), "")
	}
}

func (c *ctWriter) instancesSet(b []byte, inst string) []byte {
	b = fobj(b, "instancesSet")
	b = farr(b, "items")
	b = append(elem(b), '{')
	b = fstr(b, "instanceId", inst)
	return append(b, '}', ']', '}')
}

func (c *ctWriter) runInstances(b []byte, id *identity) []byte {
	b = c.head(b, "1.10", id, "ec2.amazonaws.com", "RunInstances", id.ip, id.ua(&c.r))
	ami := "ami-0" + c.r.str(hexLower, 16)
	inst := "i-0" + c.r.str(hexLower, 16)
	b = fobj(b, "requestParameters")
	b = fobj(b, "instancesSet")
	b = farr(b, "items")
	b = append(elem(b), '{')
	b = fstr(b, "imageId", ami)
	b = append(b, `,"minCount":1,"maxCount":1}]}`...)
	b = fstr(b, "instanceType", "t3.medium")
	b = append(b, `,"blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false`...)
	b = append(key(b, "clientToken"), '"')
	b = append(c.r.appendUUID(b), '"')
	b = fobj(b, "iamInstanceProfile")
	b = fstr(b, "name", "web-InstanceProfile")
	b = append(b, '}', '}')
	b = fobj(b, "responseElements")
	b = append(key(b, "requestId"), '"')
	b = append(c.r.appendUUID(b), '"')
	b = fstr(b, "reservationId", "r-0"+c.r.str(hexLower, 16))
	b = fstr(b, "ownerId", c.a.id)
	b = append(fobj(b, "groupSet"), '}')
	b = fobj(b, "instancesSet")
	b = farr(b, "items")
	b = append(elem(b), '{')
	b = fstr(b, "instanceId", inst)
	b = fstr(b, "imageId", ami)
	b = append(b, `,"currentInstanceBootMode":"uefi","instanceState":{"code":0,"name":"pending"}`...)
	b = fstr(b, "privateDnsName", "ip-10-0-1-"+strconv.Itoa(c.r.between(4, 250))+"."+c.g.name+".compute.internal")
	b = append(b, `,"amiLaunchIndex":0,"productCodes":{},"instanceType":"t3.medium"`...)
	b = fint(b, "launchTime", c.t.UnixMilli())
	b = fobj(b, "placement")
	b = fstr(b, "availabilityZone", c.g.name+"a")
	b = fstr(b, "tenancy", "default")
	b = append(b, '}')
	b = append(b, `,"monitoring":{"state":"disabled"}`...)
	b = fstr(b, "subnetId", "subnet-0"+c.r.str(hexLower, 16))
	b = fstr(b, "vpcId", "vpc-0"+c.r.str(hexLower, 16))
	b = append(b, `,"stateReason":{"code":"pending","message":"pending"},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{},"virtualizationType":"hvm","hypervisor":"xen","sourceDestCheck":true,"ebsOptimized":false,"enaSupport":true,"cpuOptions":{"coreCount":1,"threadsPerCore":2},"capacityReservationSpecification":{"capacityReservationPreference":"open"},"enclaveOptions":{"enabled":false},"metadataOptions":{"state":"pending","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled","httpProtocolIpv4":"ipv4","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"},"maintenanceOptions":{"autoRecovery":"default"}}]}`...)
	b = fstr(b, "requesterId", "")
	b = append(b, '}')
	b = c.ids(b, false)
	b = fbool(b, "readOnly", false)
	return c.tail(b, true, "Management", c.tls(id, "ec2"), "")
}

func (c *ctWriter) iam(b []byte, id *identity, n int) []byte {
	role := "app-role-" + strconv.Itoa(c.r.intn(40))
	var name string
	switch {
	case n < 55:
		name = "GetRole"
	case n < 70:
		name = "ListRoles"
	case n < 75:
		name = "CreateRole"
	default:
		name = "AttachRolePolicy"
	}
	b = c.head(b, "1.08", id, "iam.amazonaws.com", name, id.ip, id.ua(&c.r))
	switch name {
	case "ListRoles":
		b = fnull(b, "requestParameters")
		b = fnull(b, "responseElements")
	case "GetRole":
		b = fobj(b, "requestParameters")
		b = fstr(b, "roleName", role)
		b = append(b, '}')
		b = fnull(b, "responseElements")
	case "CreateRole":
		doc := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Principal\": {\"Service\": \"ec2.amazonaws.com\"},\n      \"Action\": \"sts:AssumeRole\"\n    }\n  ]\n}"
		b = fobj(b, "requestParameters")
		b = fstr(b, "roleName", role)
		b = fstr(b, "assumeRolePolicyDocument", doc)
		b = append(b, '}')
		b = fobj(b, "responseElements")
		b = fobj(b, "role")
		b = fstr(b, "path", "/")
		b = fstr(b, "roleName", role)
		b = fstr(b, "roleId", "AROA"+c.r.str(upperNum, 17))
		b = fstr(b, "arn", "arn:aws:iam::"+c.a.id+":role/"+role)
		b = appendExpiration(key(b, "createDate"), c.t)
		b = fstr(b, "assumeRolePolicyDocument", "%7B%0A%20%20%22Version%22%3A%20%222012-10-17%22%2C%0A%20%20%22Statement%22%3A%20%5B%0A%20%20%20%20%7B%0A%20%20%20%20%20%20%22Effect%22%3A%20%22Allow%22%2C%0A%20%20%20%20%20%20%22Principal%22%3A%20%7B%22Service%22%3A%20%22ec2.amazonaws.com%22%7D%2C%0A%20%20%20%20%20%20%22Action%22%3A%20%22sts%3AAssumeRole%22%0A%20%20%20%20%7D%0A%20%20%5D%0A%7D")
		b = append(b, '}', '}')
	default:
		b = fobj(b, "requestParameters")
		b = fstr(b, "roleName", role)
		b = fstr(b, "policyArn", "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore")
		b = append(b, '}')
		b = fnull(b, "responseElements")
	}
	b = c.ids(b, false)
	b = fbool(b, "readOnly", name == "GetRole" || name == "ListRoles")
	tls := c.tls(id, "iam")
	if tls != nil {
		tls = tlsDetails("TLSv1.3", "TLS_AES_128_GCM_SHA256", "iam.amazonaws.com")
	}
	return c.tail(b, true, "Management", tls, "")
}
