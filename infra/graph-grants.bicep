// Contain's Microsoft Graph application roles on its managed identity (this is admin consent: the deploying account
// must be a Privileged Role Administrator or Global Administrator). A module so that `grantGraphPermissions=false`
// (the azd default: infra/hooks/postprovision.js grants or prints them instead) never touches Graph at all.
extension microsoftGraphV1

@description('Object id of the managed identity\'s service principal.')
param principalId string

var permissions = loadJsonContent('graph-permissions.json')

resource graphSp 'Microsoft.Graph/servicePrincipals@v1.0' existing = {
  appId: permissions.graphAppId
}

resource grants 'Microsoft.Graph/appRoleAssignedTo@v1.0' = [for role in permissions.appRoles: {
  principalId: principalId
  resourceId: graphSp.id
  appRoleId: (filter(graphSp.appRoles, r => r.value == role.value)[0]).id
}]
