variable "bucket_name" {
  description = "Bucket name."
  type        = string
}

resource "aws_s3_bucket" "parts" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_public_access_block" "parts" {
  bucket = aws_s3_bucket.parts.id

  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "parts" {
  bucket = aws_s3_bucket.parts.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

data "aws_iam_policy_document" "tls_only" {
  statement {
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.parts.arn, "${aws_s3_bucket.parts.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "parts" {
  bucket = aws_s3_bucket.parts.id
  policy = data.aws_iam_policy_document.tls_only.json
}
