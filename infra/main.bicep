// Contain on Azure: Function App (Flex Consumption, Node 20), storage (tables + queues), Key Vault, a user-assigned
// managed identity holding Contain's Graph application roles, Application Insights, and the Azure Bot with Teams.
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.example.json
// (docs/deploy.md has every step, including admin consent and the Power Automate registration.)
extension microsoftGraphV1

@description('Short name used in resource names, e.g. "contain".')
@minLength(3)
@maxLength(11)
param name string = 'contain'

param location string = resourceGroup().location

@description('Entra object ids (users or groups) allowed to approve destructive actions.')
param approverIds array

@description('Entra object ids allowed to open incidents. Empty = approvers only.')
param responderIds array = []

@description('Object ids or UPNs Contain must never act on: break-glass accounts, the Global Administrator role object id.')
param protectedIds array

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

var suffix = uniqueString(resourceGroup().id)
var graphAppId = '00000003-0000-0000-c000-000000000000'
// Directory roles (User Administrator for step 2, Cloud Device Administrator for step 4) cannot be assigned from Bicep:
// docs/deploy.md has the one Graph call per role, and `contain doctor` verifies them (and everything below).
// Least privilege, one line per playbook step (docs/permissions.md explains each and what happens without it).
var graphRoles = [
  'User.Read.All' //                       find the user
  'Directory.Read.All' //                  group and role membership of approvers and protected accounts
  'AuditLog.Read.All' //                   sign-ins and directory audit (needs Entra ID P1)
  'User.RevokeSessions.All' //             step 1
  'User-PasswordProfile.ReadWrite.All' //  step 2
  'UserAuthenticationMethod.ReadWrite.All' // step 3
  'Device.ReadWrite.All' //                step 4
  'MailboxSettings.ReadWrite' //           step 5: inbox rules
  'Mail.ReadBasic.All' //                  step 5: folder names of rule targets
  'DelegatedPermissionGrant.ReadWrite.All' // step 7: remove the user's consent
  'Application.ReadWrite.All' //           step 7: service principal sign-in off, secrets and certificates
  'ThreatHunting.Read.All' //              steps 9-10: EmailEvents through advanced hunting (Defender for Office 365 P2)
  'ExchangeMessageTrace.Read.All' //       steps 9-10 without Defender: message trace
  'AuditLogsQuery.Read.All' //             step 8: the unified audit log (Audit Log Query API)
  'Policy.Read.All' //                     posture: Conditional Access and authorization policy
]

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${name}-id-${suffix}'
  location: location
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: toLower('${name}st${suffix}')
  location: location
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
  properties: { retentionInDays: 90, sku: { name: 'PerGB2018' } }
}
resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${name}-ai-${suffix}'
  location: location
  kind: 'web'
  properties: { Application_Type: 'web', WorkspaceResourceId: logs.id, DisableLocalAuth: true }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: '${name}-plan-${suffix}'
  location: location
  kind: 'functionapp'
  sku: { tier: 'FlexConsumption', name: 'FC1' }
  properties: { reserved: true }
}

var kvRef = (secret string) => '@Microsoft.KeyVault(VaultName=${vault.name};SecretName=${secret})'

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: '${name}-func-${suffix}'
  location: location
  kind: 'functionapp,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    functionAppConfig: {
      deployment: { storage: { type: 'blobContainer', value: '${storage.properties.primaryEndpoints.blob}deployments', authentication: { type: 'UserAssignedIdentity', userAssignedIdentityResourceId: identity.id } } }
      scaleAndConcurrency: { maximumInstanceCount: 40, instanceMemoryMB: 2048 }
      runtime: { name: 'node', version: '20' }
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
        { name: 'CONTAIN_APPROVERS', value: join(approverIds, ',') }
        { name: 'CONTAIN_RESPONDERS', value: join(responderIds, ',') }
        { name: 'CONTAIN_PROTECTED_USERS', value: join(protectedIds, ',') }
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

// Graph application roles for the managed identity (Microsoft Graph Bicep extension; docs/deploy.md has the az CLI
// alternative). Granting them is admin consent: run the deployment as a Privileged Role Administrator.
resource graphSp 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: graphAppId
}
resource graphGrants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for role in graphRoles: {
  principalId: identity.properties.principalId
  resourceId: graphSp.id
  appRoleId: (filter(graphSp.appRoles, r => r.value == role)[0]).id
}]

output functionAppName string = app.name
output messagingEndpoint string = 'https://${app.properties.defaultHostName}/api/messages'
output slackRequestUrl string = 'https://${app.properties.defaultHostName}/api/slack/events'
output botAppId string = identity.properties.clientId
output managedIdentityPrincipalId string = identity.properties.principalId
