# Tributary on AWS: S3 + DynamoDB (storage module), a scheduler service (leader + standby) and a
# runner pool (service module) on ECS Fargate, wired to an existing VPC and MSK cluster.
# No provider blocks here: the caller (examples/complete) configures the AWS provider.

data "aws_region" "current" {}
data "aws_partition" "current" {}
data "aws_caller_identity" "current" {}

data "aws_vpc" "this" {
  id = var.vpc_id
}

locals {
  scheduler_name = "${var.name}-scheduler"
  runner_name    = "${var.name}-runner"

  cluster_arn  = var.cluster_arn != null ? var.cluster_arn : aws_ecs_cluster.this[0].arn
  cluster_name = element(split("/", local.cluster_arn), length(split("/", local.cluster_arn)) - 1)

  # MSK IAM resource ARNs: cluster/<name>/<uuid> -> topic|group/<name>/<uuid>/<topic|group>.
  msk_topic_arn_prefix = replace(var.msk_cluster_arn, ":cluster/", ":topic/")
  msk_group_arn_prefix = replace(var.msk_cluster_arn, ":cluster/", ":group/")
  source_topic_arns    = [for t in var.source_topics : "${local.msk_topic_arn_prefix}/${t}"]
  dlq_topic_arns       = [for t in var.dlq_topics : "${local.msk_topic_arn_prefix}/${t}"]
  consumer_group_arns  = [for g in var.consumer_group_patterns : "${local.msk_group_arn_prefix}/${g}"]

  # Runners may touch objects only under the table prefixes and the staging prefix.
  object_prefixes = distinct(concat(var.table_prefixes, [var.staging_prefix]))

  # The contract's environment (DESIGN.md, "Names that other tools rely on"). The endpoint
  # overrides TRIBUTARY_DYNAMODB_ENDPOINT / TRIBUTARY_S3_ENDPOINT stay unset: real AWS endpoints.
  common_environment = {
    AWS_REGION                        = data.aws_region.current.name
    TRIBUTARY_KAFKA_BOOTSTRAP         = var.kafka_bootstrap_brokers
    TRIBUTARY_BUCKET                  = module.storage.bucket_id
    TRIBUTARY_CATALOG_TABLE           = module.storage.table_name
    TRIBUTARY_KAFKA_SECURITY_PROTOCOL = "SASL_SSL"
    TRIBUTARY_KAFKA_SASL_MECHANISM    = "AWS_MSK_IAM"
  }

  # Iceberg publication (DESIGN.md, "Iceberg publication"): only the scheduler leader publishes,
  # so only the scheduler gets these variables and the policy. "none" turns publication off
  # (TRIBUTARY_ICEBERG_CATALOG=none) and grants nothing.
  iceberg_enabled = var.iceberg_catalog != "none"
  iceberg_environment = merge(
    { TRIBUTARY_ICEBERG_CATALOG = var.iceberg_catalog },
    local.iceberg_enabled ? { TRIBUTARY_ICEBERG_NAMESPACE = var.iceberg_namespace } : {},
    var.iceberg_catalog == "glue" ? { TRIBUTARY_ICEBERG_GLUE_CATALOG_ID = data.aws_caller_identity.current.account_id } : {},
    var.iceberg_catalog == "rest" && var.iceberg_rest_uri != null ? { TRIBUTARY_ICEBERG_REST_URI = var.iceberg_rest_uri } : {},
    var.iceberg_catalog == "rest" && var.iceberg_rest_warehouse != null ? { TRIBUTARY_ICEBERG_REST_WAREHOUSE = var.iceberg_rest_warehouse } : {},
    var.iceberg_catalog == "rest" && var.iceberg_rest_scope != null ? { TRIBUTARY_ICEBERG_REST_SCOPE = var.iceberg_rest_scope } : {},
  )
  # The OAuth2 client credential (client_id:secret) never goes into the task definition in clear:
  # ECS injects it from Secrets Manager / SSM, and the execution role may read exactly that secret.
  iceberg_secrets = var.iceberg_catalog == "rest" && var.iceberg_rest_credential_secret_arn != null ? {
    TRIBUTARY_ICEBERG_REST_CREDENTIAL = var.iceberg_rest_credential_secret_arn
  } : {}

  health_check = var.container_health_checks ? ["CMD-SHELL", "curl -fs http://localhost:8080/q/health/live || exit 1"] : null
}

################################################################################
# Storage
################################################################################

module "storage" {
  source = "./modules/storage"

  bucket_name                 = var.bucket_name
  force_destroy               = var.force_destroy
  kms_key_arn                 = var.kms_key_arn
  versioning_enabled          = var.versioning_enabled
  staging_prefix              = var.staging_prefix
  orphan_expiration_days      = var.orphan_expiration_days
  table_name                  = var.catalog_table_name
  deletion_protection_enabled = var.deletion_protection_enabled
  tags                        = var.tags
}

################################################################################
# Iceberg: Glue database + the scheduler's publishing policy
################################################################################

module "iceberg" {
  source = "./modules/iceberg"
  count  = local.iceberg_enabled ? 1 : 0

  catalog        = var.iceberg_catalog
  database_name  = var.iceberg_namespace
  bucket_arn     = module.storage.bucket_arn
  table_prefixes = var.table_prefixes
  kms_key_arn    = var.kms_key_arn
  tags           = var.tags
}

################################################################################
# Cluster and network
################################################################################

resource "aws_ecs_cluster" "this" {
  count = var.cluster_arn == null ? 1 : 0

  name = var.name

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = var.tags
}

resource "aws_security_group" "scheduler" {
  name_prefix = "${local.scheduler_name}-"
  description = "Tributary scheduler: gRPC 9000 from runners and operators, HTTP 8080 from metrics scrapers"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.scheduler_name })

  lifecycle {
    create_before_destroy = true

    # Cross-variable validation (variable blocks can do it only from Terraform 1.9 on).
    precondition {
      condition     = var.iceberg_catalog != "rest" || var.iceberg_rest_uri != null
      error_message = "iceberg_catalog = \"rest\" needs iceberg_rest_uri (TRIBUTARY_ICEBERG_REST_URI)."
    }
  }
}

resource "aws_security_group" "runner" {
  name_prefix = "${local.runner_name}-"
  description = "Tributary task runners: no inbound but metrics; outbound to AWS APIs, Kafka and the scheduler"
  vpc_id      = var.vpc_id
  tags        = merge(var.tags, { Name = local.runner_name })

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_vpc_security_group_ingress_rule" "scheduler_grpc_from_runners" {
  security_group_id            = aws_security_group.scheduler.id
  description                  = "RunnerService.Attach from the runners"
  referenced_security_group_id = aws_security_group.runner.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
}

resource "aws_vpc_security_group_ingress_rule" "scheduler_grpc_from_schedulers" {
  security_group_id            = aws_security_group.scheduler.id
  description                  = "Standbys redirect to the leader"
  referenced_security_group_id = aws_security_group.scheduler.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
}

resource "aws_vpc_security_group_ingress_rule" "scheduler_grpc_from_operators" {
  for_each = toset(var.operator_cidr_blocks)

  security_group_id = aws_security_group.scheduler.id
  description       = "SchedulerService (tributary CLI) from operators"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 9000
  to_port           = 9000
}

resource "aws_vpc_security_group_ingress_rule" "scheduler_metrics" {
  for_each = toset(var.metrics_cidr_blocks)

  security_group_id = aws_security_group.scheduler.id
  description       = "Prometheus scrape of /q/metrics"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
}

resource "aws_vpc_security_group_ingress_rule" "runner_metrics" {
  for_each = toset(var.metrics_cidr_blocks)

  security_group_id = aws_security_group.runner.id
  description       = "Prometheus scrape of /q/metrics"
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 8080
  to_port           = 8080
}

resource "aws_vpc_security_group_egress_rule" "https" {
  for_each = {
    scheduler = aws_security_group.scheduler.id
    runner    = aws_security_group.runner.id
  }

  security_group_id = each.value
  description       = "AWS APIs (S3, DynamoDB, ECS, ECR, CloudWatch Logs, STS) over TLS"
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
}

resource "aws_vpc_security_group_egress_rule" "kafka" {
  for_each = {
    scheduler = aws_security_group.scheduler.id
    runner    = aws_security_group.runner.id
  }

  security_group_id = each.value
  description       = "MSK brokers (SASL/IAM) inside the VPC"
  cidr_ipv4         = data.aws_vpc.this.cidr_block
  ip_protocol       = "tcp"
  from_port         = var.kafka_port
  to_port           = var.kafka_port
}

resource "aws_vpc_security_group_egress_rule" "to_scheduler" {
  for_each = {
    scheduler = aws_security_group.scheduler.id
    runner    = aws_security_group.runner.id
  }

  security_group_id            = each.value
  description                  = "gRPC to the scheduler leader"
  referenced_security_group_id = aws_security_group.scheduler.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
}

resource "aws_vpc_security_group_ingress_rule" "msk_from_tributary" {
  for_each = var.msk_security_group_id == null ? {} : {
    scheduler = aws_security_group.scheduler.id
    runner    = aws_security_group.runner.id
  }

  security_group_id            = var.msk_security_group_id
  description                  = "Tributary ${each.key} to the brokers (SASL/IAM)"
  referenced_security_group_id = each.value
  ip_protocol                  = "tcp"
  from_port                    = var.kafka_port
  to_port                      = var.kafka_port
}

################################################################################
# IAM: least privilege for the runners
################################################################################

data "aws_iam_policy_document" "runner" {
  statement {
    sid = "PartsAndDeadLetters"
    actions = [
      "s3:PutObject",
      "s3:GetObject",
      "s3:DeleteObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ]
    resources = [for p in local.object_prefixes : "${module.storage.bucket_arn}/${p}*"]
  }

  statement {
    sid       = "ListOwnPrefixesForTheOrphanSweeper"
    actions   = ["s3:ListBucket"]
    resources = [module.storage.bucket_arn]

    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      values   = [for p in local.object_prefixes : "${p}*"]
    }
  }

  dynamic "statement" {
    for_each = var.kms_key_arn != null ? [1] : []

    content {
      sid       = "PartsEncryption"
      actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }

  statement {
    sid       = "CatalogCommits"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = [module.storage.table_arn]
  }

  statement {
    sid       = "KafkaConnect"
    actions   = concat(["kafka-cluster:Connect"], length(var.dlq_topics) > 0 ? ["kafka-cluster:WriteDataIdempotently"] : [])
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "KafkaReadSourceTopics"
    actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = local.source_topic_arns
  }

  dynamic "statement" {
    for_each = length(var.dlq_topics) > 0 ? [1] : []

    content {
      sid       = "KafkaWriteDeadLetterTopics"
      actions   = ["kafka-cluster:DescribeTopic", "kafka-cluster:WriteData"]
      resources = local.dlq_topic_arns
    }
  }

  statement {
    sid       = "KafkaCommitConsumerGroupOffsets"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = local.consumer_group_arns
  }
}

################################################################################
# IAM: the scheduler (catalog, Kafka end offsets, scaling the runner service)
################################################################################

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "CatalogLeaseAndAssignments"
    actions   = ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = [module.storage.table_arn]
  }

  statement {
    sid       = "KafkaConnect"
    actions   = ["kafka-cluster:Connect"]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid       = "KafkaEndOffsets"
    actions   = ["kafka-cluster:DescribeTopic"]
    resources = local.source_topic_arns
  }

  statement {
    sid       = "ScaleRunnerService"
    actions   = ["ecs:UpdateService", "ecs:DescribeServices"]
    resources = [module.runner.service_arn]
  }
}

################################################################################
# Services
################################################################################

module "runner" {
  source = "./modules/service"

  name             = local.runner_name
  cluster_arn      = local.cluster_arn
  image            = var.runner_image
  cpu              = var.runner_cpu
  memory           = var.runner_memory
  cpu_architecture = var.cpu_architecture

  port_mappings = [{ name = "http", container_port = 8080, app_protocol = "http" }]
  environment   = merge(local.common_environment, var.runner_environment)
  secrets       = var.runner_secrets

  health_check_command = local.health_check
  stop_timeout         = 120 # flush + commit on SIGTERM

  subnet_ids         = var.subnet_ids
  security_group_ids = [aws_security_group.runner.id]
  assign_public_ip   = var.assign_public_ip

  # The scheduler owns desired_count from here on (ecs:UpdateService within the bounds below).
  desired_count                      = var.runner_min_count
  ignore_desired_count_changes       = true
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200

  task_role_policies     = { "tributary-runner" = data.aws_iam_policy_document.runner.json }
  enable_execute_command = var.enable_execute_command
  log_retention_days     = var.log_retention_days
  tags                   = var.tags
}

# The bounds the scheduler moves within. There are no scaling policies: the scheduler computes
# the desired count from lag and rate and calls ecs:UpdateService; it reads the same bounds from
# TRIBUTARY_SCALER_MIN_RUNNERS / TRIBUTARY_SCALER_MAX_RUNNERS and clamps to them. Registering
# them as a scalable target records them where operators look (console, describe-scalable-targets)
# and bounds any Application Auto Scaling policy (e.g. a CPU safety net) added later.
resource "aws_appautoscaling_target" "runner" {
  service_namespace  = "ecs"
  scalable_dimension = "ecs:service:DesiredCount"
  resource_id        = "service/${local.cluster_name}/${module.runner.service_name}"
  min_capacity       = var.runner_min_count
  max_capacity       = var.runner_max_count
  tags               = var.tags
}

module "scheduler" {
  source = "./modules/service"

  name             = local.scheduler_name
  cluster_arn      = local.cluster_arn
  image            = var.scheduler_image
  cpu              = var.scheduler_cpu
  memory           = var.scheduler_memory
  cpu_architecture = var.cpu_architecture

  port_mappings = [
    { name = "grpc", container_port = 9000, app_protocol = "grpc" },
    { name = "http", container_port = 8080, app_protocol = "http" },
  ]
  environment = merge(local.common_environment, {
    TRIBUTARY_SCALER             = "ecs"
    TRIBUTARY_ECS_CLUSTER        = local.cluster_name
    TRIBUTARY_SCALER_TARGET      = module.runner.service_name
    TRIBUTARY_SCALER_MIN_RUNNERS = tostring(var.runner_min_count)
    TRIBUTARY_SCALER_MAX_RUNNERS = tostring(var.runner_max_count)
  }, local.iceberg_environment, var.scheduler_environment)
  secrets = merge(local.iceberg_secrets, var.scheduler_secrets)

  health_check_command = local.health_check
  stop_timeout         = 30

  subnet_ids         = var.subnet_ids
  security_group_ids = [aws_security_group.scheduler.id]
  assign_public_ip   = var.assign_public_ip

  # Leader + standby: never take both down at once during a deployment.
  desired_count                      = var.scheduler_count
  deployment_minimum_healthy_percent = 50
  deployment_maximum_percent         = 200

  task_role_policies = merge(
    { "tributary-scheduler" = data.aws_iam_policy_document.scheduler.json },
    local.iceberg_enabled ? { "tributary-iceberg" = module.iceberg[0].scheduler_policy_json } : {},
  )
  enable_execute_command = var.enable_execute_command
  log_retention_days     = var.log_retention_days
  tags                   = var.tags
}
