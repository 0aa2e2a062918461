variable "bucket_name" {
  description = "Name of the S3 bucket that holds the Parquet parts and dead-letter objects. Globally unique."
  type        = string
}

variable "force_destroy" {
  description = "Allow `terraform destroy` to delete a non-empty bucket. Keep false outside throw-away environments: the bucket holds landed data."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "ARN of a customer-managed KMS key for SSE-KMS on the bucket and the DynamoDB table. null = SSE-S3 (AES256) on the bucket and the AWS-managed key on the table."
  type        = string
  default     = null
}

variable "versioning_enabled" {
  description = "Enable S3 versioning. Off by default: part keys are never reused (they end in a random id) and parts are immutable, so versions would only keep deleted orphans around and cost storage. Turn on if your compliance rules require it; noncurrent versions then expire after noncurrent_version_expiration_days."
  type        = bool
  default     = false
}

variable "noncurrent_version_expiration_days" {
  description = "Days after which noncurrent object versions are deleted (only when versioning_enabled)."
  type        = number
  default     = 30
}

variable "staging_prefix" {
  description = "Key prefix (ending in /) under which writers may stage objects that no commit references yet. Objects there are orphans by definition once older than orphan_expiration_days and are expired by a lifecycle rule. Committed parts never live under it."
  type        = string
  default     = "_staging/"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*/$", var.staging_prefix))
    error_message = "staging_prefix must be a relative key prefix ending in '/', e.g. \"_staging/\"."
  }
}

variable "orphan_expiration_days" {
  description = "Days after which objects under staging_prefix are deleted by the lifecycle rule. Must be longer than any commit can take (minutes), so a day is plenty."
  type        = number
  default     = 2

  validation {
    condition     = var.orphan_expiration_days >= 1
    error_message = "orphan_expiration_days must be at least 1."
  }
}

variable "abort_incomplete_multipart_upload_days" {
  description = "Days after which incomplete multipart uploads (a runner that died mid-upload) are aborted, anywhere in the bucket."
  type        = number
  default     = 1
}

variable "table_name" {
  description = "Name of the DynamoDB catalog table (commit chains, table definitions, assignments, scheduler lease)."
  type        = string
  default     = "tributary-catalog"
}

variable "deletion_protection_enabled" {
  description = "DynamoDB deletion protection on the catalog table."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every resource of this module."
  type        = map(string)
  default     = {}
}
