output "bucket_id" {
  description = "Name of the parts bucket (TRIBUTARY_BUCKET)."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "ARN of the parts bucket."
  value       = aws_s3_bucket.this.arn
}

output "bucket_regional_domain_name" {
  description = "Regional domain name of the parts bucket."
  value       = aws_s3_bucket.this.bucket_regional_domain_name
}

output "staging_prefix" {
  description = "Key prefix whose objects expire as orphans."
  value       = var.staging_prefix
}

output "table_name" {
  description = "Name of the DynamoDB catalog table (TRIBUTARY_CATALOG_TABLE)."
  value       = aws_dynamodb_table.catalog.name
}

output "table_arn" {
  description = "ARN of the DynamoDB catalog table."
  value       = aws_dynamodb_table.catalog.arn
}

output "kms_key_arn" {
  description = "KMS key used for SSE-KMS, or null when SSE-S3 / the AWS-managed key is used."
  value       = var.kms_key_arn
}
