variable "catalog" {
  description = "Iceberg catalog the scheduler publishes to: glue (creates the Glue database and grants Glue access) or rest (an external Iceberg REST catalog: S3 access to the metadata objects only)."
  type        = string
  default     = "glue"

  validation {
    condition     = contains(["glue", "rest"], var.catalog)
    error_message = "catalog must be glue or rest (do not call the module for none)."
  }
}

variable "database_name" {
  description = "Name of the Glue database = the Iceberg namespace (TRIBUTARY_ICEBERG_NAMESPACE). Lower-case letters, digits and '_' so that Athena can query it unquoted."
  type        = string
  default     = "tributary"

  validation {
    condition     = can(regex("^[a-z][a-z0-9_]{0,254}$", var.database_name))
    error_message = "database_name must be lower-case letters, digits and '_', starting with a letter (Athena-compatible)."
  }
}

variable "database_description" {
  description = "Description of the Glue database."
  type        = string
  default     = "Iceberg tables published by Tributary (snapshots of the committed Parquet parts)"
}

variable "bucket_arn" {
  description = "ARN of the parts bucket; the tables live under its table prefixes."
  type        = string
}

variable "table_prefixes" {
  description = "Key prefixes (ending in /) of the tables' output.prefix; the Iceberg table location is <prefix><table> and its metadata <prefix><table>/metadata/."
  type        = list(string)

  validation {
    condition     = length(var.table_prefixes) > 0
    error_message = "table_prefixes needs at least one prefix."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the bucket (SSE-KMS); the publisher gets kms:Decrypt and kms:GenerateDataKey on it. null = SSE-S3."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every resource of this module."
  type        = map(string)
  default     = {}
}
