// ASP.NET Core's implicit usings bring in Microsoft.AspNetCore.Routing.IRouter; ours is the one meant here.
global using IRouter = ExpertRouter.Core.Routing.IRouter;
global using Microsoft.AspNetCore.Http.Features;
