// Contain on Azure: Function App (Flex Consumption, Node 22), storage (tables + queues), Key Vault, a user-assigned
// managed identity holding Contain's Graph application roles, Application Insights, and the Azure Bot with Teams.
// Three ways in, one template (docs/deploy.md): `azd up` (azure.yaml, main.parameters.json), the Microsoft 365
// Agents Toolkit (m365agents.yml, m365agents.parameters.json), or by hand:
//   az deployment group create -g <rg> -f infra/main.bicep -p <your copy of main.parameters.example.json>
// Resource group scope, so that all three deploy into a resource group the operator chose.

@description('Short name used in resource names, e.g. "contain".')
@minLength(3)
@maxLength(11)
param name string = 'contain'

param location string = resourceGroup().location

@description('azd environment name (AZURE_ENV_NAME): tags every resource so `azd` finds and deletes them. Empty outside azd.')
param environmentName string = ''

@description('Comma-separated Entra object ids (users or groups) allowed to approve destructive actions (CONTAIN_APPROVERS).')
@minLength(36)
param approvers string

@description('Comma-separated Entra object ids allowed to open incidents (CONTAIN_RESPONDERS). Empty = approvers only.')
param responders string = ''

@description('Comma-separated object ids or UPNs Contain must never act on: break-glass accounts, the Global Administrator role object id (CONTAIN_PROTECTED_USERS).')
@minLength(1)
param protectedUsers string

@description('Let "revoke sessions" run without approval (it is reversible and time-critical).')
param fastPathRevoke bool = false

@description('Power Automate environment id for step 6 (e.g. Default-<tenant id>). Empty: step 6 reports "not checked".')
param powerAutomateEnvironment string = ''

@description('Slack signing secret and bot token; empty to run Teams only. Stored in Key Vault.')
@secure()
param slackSigningSecret string = ''
@secure()
param slackBotToken string = ''

@description('Signs the expiring links to full investigation results. Generated per deployment (redeploying rotates it and ends old links).')
@secure()
param resultLinkKey string = '${newGuid()}${newGuid()}'

@description('Grant the Graph application roles here (admin consent: needs a Privileged Role Administrator). false: infra/hooks/postprovision.js grants or prints them.')
param grantGraphPermissions bool = true

var suffix = uniqueString(resourceGroup().id)
var tags = empty(environmentName) ? {} : { 'azd-env-name': environmentName }
// Directory roles (User Administrator for step 2, Cloud Device Administrator for step 4) cannot be assigned from Bicep:
// infra/hooks/postprovision.js assigns or prints them (graph-permissions.json lists both kinds), and `contain doctor`
// verifies them and everything below.

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id-${suffix}'
  location: location
  tags: tags
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: toLower('${name}st${suffix}')
  location: location
  tags: tags
  sku: { name: 'Standard_ZRS' }
  kind: 'StorageV2'
  properties: {
    minimumTlsVersion: 'TLS1_2'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    supportsHttpsTrafficOnly: true
  }
  resource blobs 'blobServices' = {
    name: 'default'
    resource deployments 'containers' = { name: 'deployments' }
    resource results 'containers' = { name: 'contain-results' }
  }
  // Full results hold user names and IP addresses: keep them for the investigation, not forever.
  resource lifecycle 'managementPolicies' = {
    name: 'default'
    properties: {
      policy: {
        rules: [
          {
            name: 'expire-results'
            enabled: true
            type: 'Lifecycle'
            definition: {
              filters: { blobTypes: ['blockBlob'], prefixMatch: ['contain-results/'] }
              actions: { baseBlob: { delete: { daysAfterModificationGreaterThan: 90 } } }
            }
          }
        ]
      }
    }
  }
  resource queues 'queueServices' = {
    name: 'default'
    resource work 'queues' = { name: 'contain-work' }
    resource poison 'queues' = { name: 'contain-work-poison' }
  }
  resource tables 'tableServices' = {
    name: 'default'
    resource incidents 'tables' = { name: 'containincidents' }
  }
}

// The identity reads and writes incidents (tables), work (queues) and the deployment package (blobs); no keys.
var storageRoles = [
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe' // Storage Blob Data Contributor
  '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
]
resource storageAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for role in storageRoles: {
  name: guid(storage.id, identity.id, role)
  scope: storage
  properties: { principalId: identity.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role) }
}]

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: '${name}-kv-${suffix}'
  location: location
  tags: tags
  properties: {
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    enablePurgeProtection: true
  }
  resource slackSecret 'secrets' = if (!empty(slackSigningSecret)) {
    name: 'slack-signing-secret'
    properties: { value: slackSigningSecret }
  }
  resource linkKey 'secrets' = {
    name: 'result-link-key'
    properties: { value: resultLinkKey }
  }
  resource slackToken 'secrets' = if (!empty(slackBotToken)) {
    name: 'slack-bot-token'
    properties: { value: slackBotToken }
  }
}
resource vaultAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, 'secrets-user')
  scope: vault
  properties: { principalId: identity.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6') }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${name}-log-${suffix}'
  location: location
  tags: tags
  properties: { retentionInDays: 90, sku: { name: 'PerGB2018' } }
}
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-ai-${suffix}'
  location: location
  tags: tags
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id, DisableLocalAuth: true }
}
// Local (key) ingestion is off: the identity sends the Functions host's and Contain's own telemetry (OpenTelemetry,
// APPLICATIONINSIGHTS_AUTHENTICATION_STRING) with Entra ID, as Monitoring Metrics Publisher on this resource.
resource insightsAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(insights.id, identity.id, 'metrics-publisher')
  scope: insights
  properties: { principalId: identity.properties.principalId, principalType: 'ServicePrincipal', roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb') }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan-${suffix}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var kvRef = (secret string) => '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${secret})'

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${name}-func-${suffix}'
  location: location
  // azd deploys the `contain` service of azure.yaml to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'contain' })
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: { storage: { type: 'blobContainer', value: '${storage.properties.primaryEndpoints.blob}deployments', authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id } } }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '22' }
    }
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      appSettings: concat([
        { name: 'AzureWebJobsStorage__accountName', value: storage.name }
        { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
        { name: 'AzureWebJobsStorage__clientId', value: identity.properties.clientId }
        { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identity.properties.clientId};Authorization=AAD' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
        { name: 'CONTAIN_MODE', value: 'azure' }
        { name: 'AZURE_USE_MANAGED_IDENTITY', value: 'true' }
        { name: 'AZURE_CLIENT_ID', value: identity.properties.clientId }
        { name: 'MicrosoftAppId', value: identity.properties.clientId }
        { name: 'MicrosoftAppType', value: 'UserAssignedMSI' }
        { name: 'MicrosoftAppTenantId', value: subscription().tenantId }
        { name: 'STORAGE_CONNECTION_STRING', value: 'BlobEndpoint=${storage.properties.primaryEndpoints.blob};TableEndpoint=${storage.properties.primaryEndpoints.table};QueueEndpoint=${storage.properties.primaryEndpoints.queue}' }
        { name: 'CONTAIN_LINK_KEY', value: kvRef('result-link-key') }
        { name: 'CONTAIN_APPROVERS', value: approvers }
        { name: 'CONTAIN_RESPONDERS', value: responders }
        { name: 'CONTAIN_PROTECTED_USERS', value: protectedUsers }
        { name: 'CONTAIN_FAST_PATH_REVOKE', value: string(fastPathRevoke) }
      ], empty(powerAutomateEnvironment) ? [] : [
        { name: 'POWER_AUTOMATE_API_URL', value: 'https://api.flow.microsoft.com' }
        { name: 'POWER_AUTOMATE_ENVIRONMENT', value: powerAutomateEnvironment }
      ], empty(slackSigningSecret) ? [] : [
        { name: 'SLACK_SIGNING_SECRET', value: kvRef('slack-signing-secret') }
        { name: 'SLACK_BOT_TOKEN', value: kvRef('slack-bot-token') }
      ])
    }
  }
  dependsOn: [storageAccess, vaultAccess]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${name}-bot-${suffix}'
  location: 'global'
  kind: 'azurebot'
  tags: tags
  sku: { name: 'S1' }
  properties: {
    displayName: 'Contain'
    endpoint: 'https://${app.properties.defaultHostName}/api/messages'
    msaAppId: identity.properties.clientId
    msaAppType: 'UserAssignedMSI'
    msaAppMSIResourceId: identity.id
    msaAppTenantId: subscription().tenantId
    disableLocalAuth: true
  }
  resource teams 'channels' = {
    name: 'MsTeamsChannel'
    location: 'global'
    properties: { channelName: 'MsTeamsChannel', properties: { isEnabled: true } }
  }
}

module graphGrants 'graph-grants.bicep' = if (grantGraphPermissions) {
  name: 'contain-graph-grants'
  params: { principalId: identity.properties.principalId }
}

// UPPER_SNAKE names: azd stores outputs in its environment as named, the Agents Toolkit upper-cases them; both then
// hand them to infra/hooks/postprovision.js, and the toolkit fills appPackage/manifest.json's ${{BOT_ID}}, ${{BOT_DOMAIN}}.
output FUNCTION_APP_NAME string = app.name
output FUNCTION_APP_URL string = 'https://${app.properties.defaultHostName}'
output BOT_ID string = identity.properties.clientId
output BOT_DOMAIN string = app.properties.defaultHostName
output BOT_AZURE_FUNCTION_APP_RESOURCE_ID string = app.id
output MESSAGING_ENDPOINT string = 'https://${app.properties.defaultHostName}/api/messages'
output SLACK_REQUEST_URL string = 'https://${app.properties.defaultHostName}/api/slack/events'
output MANAGED_IDENTITY_PRINCIPAL_ID string = identity.properties.principalId
